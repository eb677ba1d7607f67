package dev.strata.web.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The estimators are stateless, so the server must give every request the same answer, byte for byte, however many
 * others run at the same time. {@value #THREADS} threads send the same request all at once (released together by a
 * barrier), then a seeded shuffle of all the requests, and every answer (status and body) must equal the answer the
 * request got alone, before any concurrency.
 */
class ConcurrencyTest {
    static final int THREADS = 8;
    /** Mixed requests per thread. */
    static final int MIXED_PER_THREAD = 150;

    static final long SEED = 7;

    /** Requests across every route and kind of model, answers of every kind (JSON, CSV, table, errors). */
    static List<HttpRequest> requests(int port) throws Exception {
        String base = "http://127.0.0.1:" + port;
        List<String> gets = new ArrayList<>();
        for (String model : new String[] {
            "gpt2",
            "llama-3-8b",
            "llama-3.1-405b",
            "mixtral-8x7b",
            "gemma-2-9b",
            "qwen3-8b",
            "phi-3-mini",
            "deepseek-v3"
        }) {
            gets.add("/api/estimate?model=" + model);
            gets.add("/api/estimate?model=" + model
                    + "&batch=16&prompt=2000&generate=100&kv=fp8&device-memory-gib=80&format=csv");
            gets.add("/api/estimate?model=" + model + "&weights=nf4-dq&lora-rank=16&recompute=selective&dp=4&zero=2");
            gets.add("/api/train?model=" + model + "&tokens=1e12&hardware=h100-sxm&devices=256");
        }
        gets.add("/api/estimate?model=llama-3.1-70b&tp=8&pp=2&batch=64&attention-flops=causal&format=table");
        gets.add("/api/optimal?compute=1e24&law=chinchilla&iso-flop=20&params=7e10");
        gets.add("/api/optimal?loss=2.1&law=deepseek-2024");
        gets.add("/api/presets");
        gets.add("/api/hardware?format=csv");
        gets.add("/api/estimate?model=llama-3-8b&tp=3"); // 400
        gets.add("/api/estimate?model=nope"); // 400 listing the presets
        gets.add("/models?model=deepseek-v3");
        gets.add("/chart/params.svg?model=mixtral-8x7b");
        List<HttpRequest> out = new ArrayList<>();
        for (String g : gets)
            out.add(HttpRequest.newBuilder(URI.create(base + g)).GET().build());
        String config = Files.readString(Path.of("testdata/hf-configs/qwen2.5-7b.json"));
        out.add(HttpRequest.newBuilder(URI.create(base + "/api/estimate"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"config\": " + config + ", \"batch\": 8, \"tp\": 4}"))
                .build());
        out.add(HttpRequest.newBuilder(URI.create(base + "/api/fit?bootstrap=0"))
                .POST(HttpRequest.BodyPublishers.ofString("N,D,loss\n1e8,1e9,abc\n"))
                .build()); // 400
        return out;
    }

    record Answer(int status, String body) {}

    static Answer send(HttpClient client, HttpRequest request) throws Exception {
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void eightThreadsGetTheSameAnswersAsOne() throws Exception {
        Javalin app = StrataServer.create().start("127.0.0.1", 0);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            HttpClient client =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<HttpRequest> requests = requests(app.port());
            List<Answer> alone = new ArrayList<>();
            for (HttpRequest r : requests) alone.add(send(client, r));
            assertThat(alone).extracting(Answer::status).contains(200, 400);

            HttpClient concurrent =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<String> mismatches = Collections.synchronizedList(new ArrayList<>());
            // 1. identical: every thread sends request i at the same moment
            CyclicBarrier barrier = new CyclicBarrier(THREADS);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < requests.size(); i++) {
                        barrier.await(30, TimeUnit.SECONDS);
                        Answer a = send(concurrent, requests.get(i));
                        if (!a.equals(alone.get(i)))
                            mismatches.add(
                                    "identical #" + i + " " + requests.get(i).uri() + ": " + a.status());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
            // 2. mixed: each thread a seeded random sequence of all the requests
            done.clear();
            for (int t = 0; t < THREADS; t++) {
                SplittableRandom random = new SplittableRandom(SEED + t);
                done.add(pool.submit(() -> {
                    for (int k = 0; k < MIXED_PER_THREAD; k++) {
                        int i = random.nextInt(requests.size());
                        Answer a = send(concurrent, requests.get(i));
                        if (!a.equals(alone.get(i)))
                            mismatches.add("mixed #" + i + " " + requests.get(i).uri() + ": " + a.status());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
            assertThat(mismatches)
                    .as("answers that differ from the single-threaded answer")
                    .isEmpty();
        } finally {
            pool.shutdownNow();
            app.stop();
        }
    }
}
