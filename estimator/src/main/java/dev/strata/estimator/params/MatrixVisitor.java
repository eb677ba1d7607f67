package dev.strata.estimator.params;

import dev.strata.model.Projection;

/**
 * Receives the weight matrices of one layer from {@link Parameters#forEachMatrix}, the one place that knows the
 * projection shapes. Parameter counts, FLOPs, LoRA adapters and tensor-parallel sharding are all computed from it.
 */
@FunctionalInterface
public interface MatrixVisitor {
    /**
     * One kind of matrix of the layer.
     *
     * @param component    the parameter term it belongs to
     * @param role         which projection it is
     * @param in           input features
     * @param out          output features
     * @param bias         whether each copy has a bias vector of {@code out}
     * @param copies       how many copies the layer holds (routed experts: one per expert)
     * @param activeCopies how many of the copies one token passes through (top-k of the routed experts)
     */
    void matrix(
            ParamComponent component, Projection role, long in, long out, boolean bias, long copies, long activeCopies);
}
