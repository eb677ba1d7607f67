package dev.strata.web.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.RunsCsv;
import dev.strata.estimator.scaling.ChinchillaFit;
import dev.strata.estimator.scaling.Estimate;
import dev.strata.estimator.scaling.FitOptions;
import dev.strata.estimator.scaling.FitPoint;
import dev.strata.estimator.scaling.FitResult;
import dev.strata.model.InvalidFieldException;
import dev.strata.web.render.Render;

/**
 * The {@code fit} result: the Chinchilla-form constants {@code E}, {@code A}, {@code B}, {@code alpha}, {@code beta},
 * each with {@code value}, {@code stdErr} and a percentile interval, the implied compute-optimal exponents, and
 * {@code points} with residuals (docs/architecture.md, "Contracts").
 */
public final class FitReport {
    /** Default number of bootstrap resamples: 1,000 (Besiroglu et al. 2024 use 4,000; pass --bootstrap 4000 for theirs). */
    public static final int DEFAULT_BOOTSTRAP = 1000;

    private FitReport() {}

    /**
     * What the user asked (options {@code --n-col --d-col --c-col --loss-col --exclude-highest-loss --bootstrap --seed};
     * nulls take the defaults).
     */
    public record Request(
            String nCol,
            String dCol,
            String cCol,
            String lossCol,
            Integer excludeHighestLoss,
            Integer bootstrap,
            Long seed) {
        /** The request from named inputs (HTTP query parameters or form fields). */
        public static Request from(Inputs in) {
            return new Request(
                    in.text("n-col"),
                    in.text("d-col"),
                    in.text("c-col"),
                    in.text("loss-col"),
                    in.integer("exclude-highest-loss"),
                    in.integer("bootstrap"),
                    in.whole("seed"));
        }

        /** The same request with another number of bootstrap resamples. */
        public Request withBootstrap(int resamples) {
            return new Request(nCol, dCol, cCol, lossCol, excludeHighestLoss, resamples, seed);
        }

        /** The columns to read: --d-col or --c-col (not both); with neither, D if the file has it, else C. */
        public RunsCsv.Columns columns() {
            if (dCol != null && cCol != null)
                throw InvalidFieldException.withMessage(
                        "c-col", "give --d-col (tokens) or --c-col (training FLOPs), not both");
            String n = nCol == null ? RunsCsv.DEFAULT_PARAMS_COLUMN : nCol;
            String l = lossCol == null ? RunsCsv.DEFAULT_LOSS_COLUMN : lossCol;
            if (dCol != null) return new RunsCsv.Columns(n, dCol, null, l);
            if (cCol != null) return new RunsCsv.Columns(n, null, cCol, l);
            return new RunsCsv.Columns(n, RunsCsv.DEFAULT_TOKENS_COLUMN, RunsCsv.DEFAULT_COMPUTE_COLUMN, l);
        }

        FitOptions options() {
            return FitOptions.defaults()
                    .withExcludeHighestLoss(excludeHighestLoss == null ? 0 : excludeHighestLoss)
                    .withBootstrap(
                            bootstrap == null ? DEFAULT_BOOTSTRAP : bootstrap,
                            seed == null ? FitOptions.DEFAULT_SEED : seed);
        }
    }

    /** Fits the runs as the request asks. */
    public static ObjectNode of(RunsCsv.Runs runs, Request r) {
        return of(fit(runs, r));
    }

    /** The fit itself, for callers that draw it as well as report it. */
    public static FitResult fit(RunsCsv.Runs runs, Request r) {
        FitOptions options = r.options(); // validate the options before the data is converted
        return ChinchillaFit.fit(runs.fitData(), options);
    }

    public static ObjectNode of(FitResult fit) {
        ObjectNode root = Render.NODES.objectNode();
        root.set("E", estimate(fit.E()));
        root.set("A", estimate(fit.A()));
        root.set("B", estimate(fit.B()));
        root.set("alpha", estimate(fit.alpha()));
        root.set("beta", estimate(fit.beta()));
        ObjectNode frontier = root.putObject("computeOptimal");
        frontier.set("a", estimate(fit.paramsExponent()));
        frontier.set("b", estimate(fit.tokensExponent()));
        frontier.put(
                "note",
                "N_opt ∝ C^a and D_opt ∝ C^b with a = beta/(alpha+beta), b = alpha/(alpha+beta) (Hoffmann et al. 2022, Eq. 4)");
        ObjectNode how = root.putObject("procedure");
        how.put(
                "method",
                "Hoffmann et al. 2022 App. D.2: Huber loss on log-loss, log-sum-exp parameters, grid of starts, best kept; "
                        + "minimised with commons-math3 Levenberg-Marquardt");
        how.put("huberDelta", fit.options().huberDelta());
        how.put("starts", fit.starts());
        how.put("objective", fit.objective());
        how.put("rows", fit.points().size());
        how.put("usedRows", fit.usedRows());
        how.put("excludedHighestLoss", fit.options().excludeHighestLoss());
        how.put("bootstrapResamples", fit.bootstrapResamples());
        how.put("bootstrapFailures", fit.bootstrapFailures());
        how.put("seed", fit.options().seed());
        how.put("confidenceLevel", fit.options().confidenceLevel());
        ArrayNode points = root.putArray("points");
        for (FitPoint p : fit.points()) {
            ObjectNode o = points.addObject();
            o.put("row", p.row());
            o.put("params", p.params());
            o.put("tokens", p.tokens());
            o.put("loss", p.loss());
            o.put("predictedLoss", p.predictedLoss());
            o.put("residual", p.residual());
            o.put("excluded", p.excluded());
        }
        return root;
    }

    private static ObjectNode estimate(Estimate e) {
        ObjectNode o = Render.NODES.objectNode();
        o.put("value", e.value());
        e.spread()
                .ifPresentOrElse(
                        s -> {
                            o.put("stdErr", s.stdErr());
                            o.put("ciLow", s.low());
                            o.put("ciHigh", s.high());
                        },
                        () -> o.putNull("stdErr"));
        return o;
    }
}
