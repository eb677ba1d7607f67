package dev.strata.data.validation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVRecord;

/**
 * Published continuous-batching serving measurements shipped with strata ({@code published/serving.tsv}, whose header
 * says where they come from): the setup of each run, in the options {@code strata simulate} takes, and the measured
 * metric. The trtllm-bench runs also calibrate the GPU model, as their steady state
 * ({@link PublishedMeasurements#steadyState}); the others hold the serving simulator out of sample.
 */
public final class PublishedServing {
    private PublishedServing() {}

    /** The shipped set's file name. */
    public static final String SET = "serving.tsv";

    /**
     * The metrics a point may give: output tokens per second (all devices); mean time per output token and to first
     * token; median time to first token, inter-token latency and end-to-end latency (milliseconds).
     */
    public static final List<String> METRICS =
            List.of("output_tokens_per_s", "tpot_ms_mean", "ttft_ms_mean", "ttft_ms_p50", "itl_ms_p50", "e2e_ms_p50");

    /**
     * How a point's requests reached the engine: {@code offline} (the engine's own benchmark hands it tokens:
     * trtllm-bench) or {@code http} (a client over its OpenAI-compatible HTTP server).
     */
    public static final List<String> CLIENTS = List.of("offline", "http");

    /** The arrivals a point may give. */
    public static final List<String> ARRIVALS = List.of("all", "concurrency", "rate");

    /**
     * One published run.
     *
     * @param id the row's id
     * @param source where the number was published
     * @param engine the engine and version that served it
     * @param profile strata's engine profile to simulate it with ({@code trtllm}, {@code vllm} or {@code sglang})
     * @param model a strata preset id
     * @param hardware the device's catalog id
     * @param devices devices of the one replica
     * @param tp tensor-parallel ranks
     * @param weights the weights' format
     * @param kv the KV cache's format
     * @param memoryFraction the share of device memory the engine takes
     * @param arrival {@code all}, {@code concurrency} or {@code rate}
     * @param load requests at once (all), in flight (concurrency) or per second (rate)
     * @param requests requests in the run
     * @param prompt prompt tokens of every request, or {@code uniform:A:B}
     * @param generate output tokens of every request, or {@code uniform:A:B}
     * @param client how the requests reached the engine, one of {@link #CLIENTS}
     * @param engineFit whether the point is one its engine profile's figures are fitted to
     * @param metric one of {@link #METRICS}
     * @param measured the published value, in {@code unit}
     * @param unit the value's unit
     * @param notes how the number was read and what was assumed
     */
    public record Point(
            String id,
            String source,
            String engine,
            String profile,
            String model,
            String hardware,
            int devices,
            int tp,
            String weights,
            String kv,
            double memoryFraction,
            String arrival,
            double load,
            int requests,
            String prompt,
            String generate,
            String client,
            boolean engineFit,
            String metric,
            double measured,
            String unit,
            String notes) {
        /**
         * The point's setup as {@code strata simulate} options, by name without the leading dashes.
         *
         * @return option name to its text
         */
        public Map<String, String> simulateOptions() {
            Map<String, String> o = new LinkedHashMap<>();
            o.put("model", model);
            o.put("hardware", hardware);
            o.put("devices", Integer.toString(devices));
            o.put("tp", Integer.toString(tp));
            o.put("weights", weights);
            o.put("kv", kv);
            o.put("engine", profile);
            o.put("gpu-memory-utilization", Double.toString(memoryFraction));
            o.put("prompt", prompt);
            o.put("generate", generate);
            o.put("requests", Integer.toString(requests));
            o.put("client", client);
            switch (arrival) {
                case "all" -> o.put("rate", "inf");
                case "concurrency" -> o.put("concurrency", Long.toString(Math.round(load)));
                default -> o.put("rate", Double.toString(load));
            }
            return o;
        }
    }

    /**
     * Every shipped point.
     *
     * @return the points, in file order
     */
    public static List<Point> points() {
        List<Point> out = new ArrayList<>();
        for (CSVRecord r : PublishedFiles.records(SET)) {
            String metric = r.get("metric"), arrival = r.get("arrival");
            if (!METRICS.contains(metric))
                throw new IllegalStateException(SET + " row " + r.get("id") + ": unknown metric " + metric);
            if (!ARRIVALS.contains(arrival))
                throw new IllegalStateException(SET + " row " + r.get("id") + ": unknown arrival " + arrival);
            String client = r.get("client"), fit = r.get("engine_fit");
            if (!CLIENTS.contains(client))
                throw new IllegalStateException(SET + " row " + r.get("id") + ": unknown client " + client);
            if (!fit.equals("true") && !fit.equals("false"))
                throw new IllegalStateException(
                        SET + " row " + r.get("id") + ": engine_fit " + fit + " is not true or false");
            out.add(new Point(
                    r.get("id"),
                    r.get("source"),
                    r.get("engine"),
                    r.get("profile"),
                    r.get("model_config"),
                    r.get("hardware"),
                    Integer.parseInt(r.get("devices")),
                    Integer.parseInt(r.get("tp")),
                    r.get("weights"),
                    r.get("kv"),
                    Double.parseDouble(r.get("memory_fraction")),
                    arrival,
                    Double.parseDouble(r.get("load")),
                    Integer.parseInt(r.get("requests")),
                    r.get("prompt"),
                    r.get("generate"),
                    client,
                    fit.equals("true"),
                    metric,
                    Double.parseDouble(r.get("measured_value")),
                    r.get("unit"),
                    r.get("notes")));
        }
        return List.copyOf(out);
    }
}
