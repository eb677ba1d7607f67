package dev.strata.model;

import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;
import java.util.List;

/**
 * Microbenchmarks of one machine: what a host calibration is fitted to (the reference-stack harness's
 * {@code calibrate.py} measures them; module data reads its {@code cpu-calibration.csv}). Rates are medians of repeated
 * runs, in SI base units. Formats are numeric-format ids ({@code fp32}, {@code bf16}).
 *
 * @param machine              what the machine is (CPU model, cores, library versions), for display
 * @param date                 when it was measured (ISO 8601), for display
 * @param streamBytesPerSecond the best large-array stream bandwidth (sum or copy of a tensor far larger than the caches)
 * @param matrixProducts       matrix products {@code x[m, k] W[n, k]^T} with their achieved rates
 * @param kvReads              decode attention steps over a long KV cache
 * @param layerOverheads       fixed per-layer time of a decode step, by layer style and format
 * @param runtimeBytes         memory the runtime holds for itself (a process that has imported the framework and run a
 *                             tiny model, the model freed); 0 if not measured
 * @param productOutputBytes   bytes per output element at the peak of a matrix product, by format: the element size
 *                             where the library writes the result directly (a GPU), more where it computes in a wider
 *                             format and converts (bf16 on a CPU without bf16 instructions: about 6); empty if not
 *                             measured
 * @param memoryBytes          memory capacity of the device the benchmarks ran on (a GPU's total memory, or the
 *                             machine's RAM), as the harness read it; 0 when the run did not record it
 * @param inSituLayers         time per layer outside the products of real-width models, measured among their products,
 *                             by format and hidden width; empty when the run did not measure it
 */
public record Microbenchmarks(
        String machine,
        String date,
        double streamBytesPerSecond,
        List<MatrixProduct> matrixProducts,
        List<KvRead> kvReads,
        List<LayerOverhead> layerOverheads,
        long runtimeBytes,
        java.util.Map<String, Double> productOutputBytes,
        long memoryBytes,
        List<InSituLayer> inSituLayers) {
    /** Layer styles the overhead is measured for, named by their feed-forward type as in strata's spec JSON. */
    public static final List<String> LAYER_STYLES = List.of("dense", "gated", "moe");

    /**
     * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
     *
     * @param machine what the machine is (CPU model, cores, library versions), for display
     * @param date when it was measured (ISO 8601), for display
     * @param streamBytesPerSecond the best large-array stream bandwidth (sum or copy of a tensor far larger than the
     *     caches)
     * @param matrixProducts matrix products {@code x[m, k] W[n, k]^T} with their achieved rates
     * @param kvReads decode attention steps over a long KV cache
     * @param layerOverheads fixed per-layer time of a decode step, by layer style and format
     * @param runtimeBytes memory the runtime holds for itself (a process that has imported the framework and run a tiny
     *     model, the model freed); 0 if not measured
     * @param productOutputBytes bytes per output element at the peak of a matrix product, by format: the element size
     *     where the library writes the result directly (a GPU), more where it computes in a wider format and converts
     *     (bf16 on a CPU without bf16 instructions: about 6); empty if not measured
     * @param memoryBytes memory capacity of the device the benchmarks ran on (a GPU's total memory, or the machine's
     *     RAM), as the harness read it; 0 when the run did not record it
     * @param inSituLayers time per layer outside the products of real-width models, measured among their products, by
     *     format and hidden width; empty when the run did not measure it
     */
    public Microbenchmarks {
        machine = machine == null ? "" : machine;
        date = date == null ? "" : date;
        Checks.positive(
                "microbenchmarks.streamBytesPerSecond", streamBytesPerSecond, Hardware.MAX_BANDWIDTH_BYTES_PER_SECOND);
        matrixProducts = List.copyOf(Checks.present("microbenchmarks.matrixProducts", matrixProducts));
        kvReads = List.copyOf(Checks.present("microbenchmarks.kvReads", kvReads));
        layerOverheads = List.copyOf(Checks.present("microbenchmarks.layerOverheads", layerOverheads));
        Checks.range("microbenchmarks.runtimeBytes", runtimeBytes, 0, Hardware.MAX_MEMORY_BYTES);
        productOutputBytes =
                java.util.Map.copyOf(Checks.present("microbenchmarks.productOutputBytes", productOutputBytes));
        productOutputBytes.forEach(
                (format, bytes) -> Checks.positive("microbenchmarks.productOutputBytes." + format, bytes, 64));
        Checks.range("microbenchmarks.memoryBytes", memoryBytes, 0, Hardware.MAX_MEMORY_BYTES);
        inSituLayers = List.copyOf(Checks.present("microbenchmarks.inSituLayers", inSituLayers));
        if (matrixProducts.isEmpty())
            throw InvalidFieldException.withMessage(
                    "microbenchmarks.matrixProducts",
                    "microbenchmarks.matrixProducts is empty: at least one matrix product is needed");
    }

    /**
     * The best memory bandwidth measured, bytes/s: the largest of the stream bandwidth, the weight bytes per second of
     * every matrix product and the cache bytes per second of every KV read. A device's floor bandwidth from this is a
     * true upper bound on what the benchmarks reached.
     *
     * @return the best bandwidth in bytes/s
     */
    public double bestBandwidthBytesPerSecond() {
        double best = streamBytesPerSecond;
        for (MatrixProduct p : matrixProducts) best = Math.max(best, p.weightBytes() / p.seconds());
        for (KvRead r : kvReads) best = Math.max(best, r.bytesPerSecond());
        return best;
    }

    /**
     * The best FLOP/s measured in {@code format} (over its matrix products); 0 when none was measured in it.
     *
     * @param format a numeric format id
     * @return the best rate in FLOP/s, or 0
     */
    public double bestFlopsPerSecond(String format) {
        double best = 0;
        for (MatrixProduct p : matrixProducts)
            if (p.format().equals(format)) best = Math.max(best, p.flops() / p.seconds());
        return best;
    }

    /**
     * Bytes per element at the peak of a matrix product's output in {@code format}, as measured; {@code written} (the
     * size of the element the product writes) when not measured.
     *
     * @param format a numeric format id
     * @param written the bytes per element the product writes, used when nothing was measured
     * @return bytes per output element
     */
    public double productOutputBytes(String format, double written) {
        return productOutputBytes.getOrDefault(format, written);
    }

    /**
     * These benchmarks averaged with a second calibration of the same machine ({@code later}: the harness repeats its
     * calibration after a run's points, as the machine's speed drifts over minutes). Every timing is the mean of the
     * two times of the same benchmark (so rates are harmonic means): each matrix product of the same format and shape,
     * each KV read of the same format, size and head grouping, each layer overhead of the same style, format and
     * product count (slope and intercept), each in-situ layer time of the same format and width, and the stream
     * bandwidth as a time per byte. A benchmark only one of them
     * has is kept as it is. What is not a timing (the runtime's memory, the product output bytes, the device's memory)
     * and the machine's description and date are this calibration's.
     *
     * @param later the second calibration of the same machine
     * @return the averaged benchmarks
     */
    public Microbenchmarks averagedWith(Microbenchmarks later) {
        Checks.present("microbenchmarks.later", later);
        List<MatrixProduct> products = averaged(
                matrixProducts,
                later.matrixProducts,
                MatrixProduct::benchmark,
                (a, b) -> new MatrixProduct(a.format, a.rows, a.inputs, a.outputs, (a.seconds + b.seconds) / 2));
        List<KvRead> kv = averaged(
                kvReads,
                later.kvReads,
                KvRead::benchmark,
                (a, b) -> new KvRead(a.format, a.cacheBytes, a.queriesPerKvHead, (a.seconds + b.seconds) / 2));
        List<LayerOverhead> layers = averaged(
                layerOverheads,
                later.layerOverheads,
                LayerOverhead::benchmark,
                (a, b) -> new LayerOverhead(
                        a.style,
                        a.format,
                        (a.perLayerSeconds + b.perLayerSeconds) / 2,
                        (a.perStepSeconds + b.perStepSeconds) / 2,
                        a.productsPerLayer,
                        a.productsPerStep));
        List<InSituLayer> inSitu = averaged(
                inSituLayers,
                later.inSituLayers,
                InSituLayer::benchmark,
                (a, b) -> new InSituLayer(a.format, a.width, (a.perLayerSeconds + b.perLayerSeconds) / 2));
        double stream = 2 / (1 / streamBytesPerSecond + 1 / later.streamBytesPerSecond);
        return new Microbenchmarks(
                machine, date, stream, products, kv, layers, runtimeBytes, productOutputBytes, memoryBytes, inSitu);
    }

    /** Each of {@code mine} combined by {@code mean} with the one of {@code later} that is the same benchmark, if any. */
    private static <T> List<T> averaged(
            List<T> mine,
            List<T> later,
            java.util.function.Function<T, List<Object>> benchmark,
            java.util.function.BinaryOperator<T> mean) {
        java.util.Map<List<Object>, T> byBenchmark = new java.util.HashMap<>();
        for (T t : later) byBenchmark.put(benchmark.apply(t), t);
        return mine.stream()
                .map(t -> {
                    T other = byBenchmark.get(benchmark.apply(t));
                    return other == null ? t : mean.apply(t, other);
                })
                .toList();
    }

    /**
     * The numeric formats the matrix products were measured in, in order of first appearance.
     *
     * @return the format ids, without repeats
     */
    public List<String> formats() {
        return matrixProducts.stream().map(MatrixProduct::format).distinct().toList();
    }

    /**
     * One timed matrix product {@code y[m, n] = x[m, k] W[n, k]^T} with the weight read from memory (not cache).
     *
     * @param format  numeric format of x, W and y
     * @param rows    m: token rows (1 for a matrix-vector product)
     * @param inputs  k: the weight's input width
     * @param outputs n: the weight's output width
     * @param seconds median time of one product
     */
    public record MatrixProduct(String format, long rows, long inputs, long outputs, double seconds) {
        /**
         * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
         *
         * @param format numeric format of x, W and y
         * @param rows m: token rows (1 for a matrix-vector product)
         * @param inputs k: the weight's input width
         * @param outputs n: the weight's output width
         * @param seconds median time of one product
         */
        public MatrixProduct {
            Checks.text("matrixProduct.format", format);
            NumericFormat.parse("matrixProduct.format", format);
            Checks.range("matrixProduct.rows", rows, 1, Limits.MAX_CONTEXT);
            Checks.range("matrixProduct.inputs", inputs, 1, Limits.MAX_WIDTH);
            Checks.range("matrixProduct.outputs", outputs, 1, Limits.MAX_WIDTH);
            Checks.positive("matrixProduct.seconds", seconds, 1e6);
        }

        /**
         * What identifies the benchmark (format and shape), to match it across two calibrations of a machine.
         *
         * @return format, rows, inputs and outputs
         */
        public List<Object> benchmark() {
            return List.of(format, rows, inputs, outputs);
        }

        /**
         * 2 m k n: two FLOPs per multiply-accumulate.
         *
         * @return the FLOPs of one product
         */
        public double flops() {
            return 2.0 * rows * inputs * outputs;
        }

        /**
         * Elements of the weight matrix, k n.
         *
         * @return k n
         */
        public double weightElements() {
            return (double) inputs * outputs;
        }

        /**
         * Bytes of the weight matrix in {@code format}.
         *
         * @return the bytes of k n elements in the format
         */
        public double weightBytes() {
            return NumericFormat.parse("matrixProduct.format", format).bytesFor((long) inputs * outputs);
        }
    }

    /**
     * One decode attention step over a long cache (scores, softmax, weighted sum for one query token).
     *
     * @param format          numeric format of the cache
     * @param cacheBytes      bytes of K and V read
     * @param queriesPerKvHead query heads sharing each KV head
     * @param seconds         median time of the step
     */
    public record KvRead(String format, double cacheBytes, int queriesPerKvHead, double seconds) {
        /**
         * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
         *
         * @param format numeric format of the cache
         * @param cacheBytes bytes of K and V read
         * @param queriesPerKvHead query heads sharing each KV head
         * @param seconds median time of the step
         */
        public KvRead {
            Checks.text("kvRead.format", format);
            NumericFormat.parse("kvRead.format", format);
            Checks.positive("kvRead.cacheBytes", cacheBytes, 1e15);
            Checks.range("kvRead.queriesPerKvHead", queriesPerKvHead, 1, Limits.MAX_WIDTH);
            Checks.positive("kvRead.seconds", seconds, 1e6);
        }

        /**
         * What identifies the benchmark (format, cache size, head grouping), to match it across two calibrations.
         *
         * @return format, cache bytes and query heads per KV head
         */
        public List<Object> benchmark() {
            return List.of(format, cacheBytes, queriesPerKvHead);
        }

        /**
         * Bytes per second of cache.
         *
         * @return cacheBytes / seconds
         */
        public double bytesPerSecond() {
            return cacheBytes / seconds;
        }
    }

    /**
     * Fixed time per layer of a decode step, and per step, for one layer style: the slope and intercept of the step
     * time of tiny-width models against their layer count, either with their layers' matrix products replaced by
     * their outputs ({@code productsPerLayer} 0: the time outside the products) or, in runs before that, with the
     * products (small enough that only their per-call cost shows).
     *
     * @param style            {@code dense} (GPT-2 style: LayerNorm, learned positions, GELU MLP), {@code gated}
     *                         (Llama style: RMSNorm, rotary, SwiGLU) or {@code moe} (Llama attention, routed experts)
     * @param format           numeric format of the model
     * @param perLayerSeconds  slope: seconds per layer per step
     * @param perStepSeconds   intercept: seconds per step outside the layers (may come out slightly negative: noise)
     * @param productsPerLayer matrix-product calls one layer of the benchmark model makes per step (their fixed cost is
     *                         part of the slope); 0 when the products were replaced by their outputs
     * @param productsPerStep  matrix-product calls outside the layers per step (the output head)
     */
    public record LayerOverhead(
            String style,
            String format,
            double perLayerSeconds,
            double perStepSeconds,
            double productsPerLayer,
            double productsPerStep) {
        /**
         * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
         *
         * @param style {@code dense} (GPT-2 style: LayerNorm, learned positions, GELU MLP), {@code gated} (Llama style:
         *     RMSNorm, rotary, SwiGLU) or {@code moe} (Llama attention, routed experts)
         * @param format numeric format of the model
         * @param perLayerSeconds slope: seconds per layer per step
         * @param perStepSeconds intercept: seconds per step outside the layers (may come out slightly negative: noise)
         * @param productsPerLayer matrix-product calls one layer of the benchmark model makes per step (their fixed
         *     cost is part of the slope); 0 when the products were replaced by their outputs
         * @param productsPerStep matrix-product calls outside the layers per step (the output head)
         */
        public LayerOverhead {
            if (!LAYER_STYLES.contains(style))
                throw new InvalidFieldException("layerOverhead.style", style, "one of " + LAYER_STYLES);
            Checks.text("layerOverhead.format", format);
            Checks.range("layerOverhead.perLayerSeconds", perLayerSeconds, -10, 10);
            Checks.range("layerOverhead.perStepSeconds", perStepSeconds, -10, 10);
            Checks.range("layerOverhead.productsPerLayer", productsPerLayer, 0, 1e6);
            Checks.range("layerOverhead.productsPerStep", productsPerStep, 0, 1e6);
        }

        /**
         * What identifies the fit (style, format, product counts), to match it across two calibrations.
         *
         * @return style, format, products per layer and products per step
         */
        public List<Object> benchmark() {
            return List.of(style, format, productsPerLayer, productsPerStep);
        }
    }

    /**
     * The time per layer of a decode step outside its matrix products, measured in a real-width model among its
     * products: the slope over layer count of the step time less the slope of the same products called back to back.
     * Between its products a layer's norms, attention and framework code run with caches the weights have just streamed
     * through, which costs more than the warm-cache time of {@link LayerOverhead}'s tiny models.
     *
     * @param format          numeric format of the model
     * @param width           hidden width of the model (Llama style: 64 per head, feed-forward 2.75 x width)
     * @param perLayerSeconds seconds per layer per step (may come out slightly negative on a noisy machine)
     */
    public record InSituLayer(String format, long width, double perLayerSeconds) {
        /**
         * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
         *
         * @param format numeric format of the model
         * @param width hidden width of the model (Llama style: 64 per head, feed-forward 2.75 x width)
         * @param perLayerSeconds seconds per layer per step (may come out slightly negative on a noisy machine)
         */
        public InSituLayer {
            Checks.text("inSituLayer.format", format);
            NumericFormat.parse("inSituLayer.format", format);
            Checks.range("inSituLayer.width", width, 1, Limits.MAX_WIDTH);
            Checks.range("inSituLayer.perLayerSeconds", perLayerSeconds, -10, 10);
        }

        /**
         * What identifies the benchmark (format and width), to match it across two calibrations.
         *
         * @return format and width
         */
        public List<Object> benchmark() {
            return List.of(format, width);
        }
    }
}
