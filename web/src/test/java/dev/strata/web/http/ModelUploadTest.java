package dev.strata.web.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.web.TinyGguf;
import dev.strata.web.page.PlannerPage;
import io.javalin.Javalin;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The planner's model picker takes what {@code --model} takes besides a config.json: the header of a GGUF file (only
 * the header is read, so a file cut after it does) and a {@code model.safetensors.index.json}, checked against the
 * config given; what cannot build a model, or is too large, is refused naming the field {@code file}.
 */
class ModelUploadTest {
    private static Javalin app;
    private static RawHttp http;

    @BeforeAll
    static void start() {
        app = StrataServer.create().start("127.0.0.1", 0);
        http = new RawHttp(app.port());
    }

    @AfterAll
    static void stop() {
        if (app != null) app.stop();
    }

    private static final String BOUNDARY = "strata-upload-boundary-51c2";

    /** A multipart body of the upload form: {@code fields}, then the file part {@code file} named {@code name}. */
    private static byte[] form(Map<String, String> fields, String name, byte[] file) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        fields.forEach((k, v) -> b.writeBytes(
                ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n")
                        .getBytes(StandardCharsets.UTF_8)));
        b.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name
                        + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        b.writeBytes(file);
        b.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return b.toByteArray();
    }

    private static RawHttp.Response post(byte[] body) throws Exception {
        return http.post("/", "multipart/form-data; boundary=" + BOUNDARY, body);
    }

    @Test
    void aGgufHeaderGivesTheModelAndItsTensorsAndStaysInThePage() throws Exception {
        byte[] header = TinyGguf.llamaHeader();
        // the first bytes of the tensor data follow, as in a file cut after its header: they are not read
        byte[] cut = java.util.Arrays.copyOf(header, header.length + 4096);
        RawHttp.Response r = post(form(Map.of("hardware", "h100-sxm"), "tiny-llama-Q4_K_M.gguf", cut));
        String html = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.status()).as(html).isEqualTo(200);
        assertThat(html)
                .contains("Showing <strong>tiny-llama-Q4_K_M</strong>")
                .contains("from the header of the GGUF file tiny-llama-Q4_K_M.gguf");
        // the metadata as config keys in the config box, so later changes (which post the box) keep the model
        String box = html.substring(html.indexOf("<textarea name=\"config\""), html.indexOf("</textarea>"));
        assertThat(box)
                .contains("&quot;hidden_size&quot; : 256")
                .contains("&quot;num_key_value_heads&quot; : 2")
                .contains("&quot;vocab_size&quot; : 512");
        // 12 tensors, and their parameters equal strata's count of the metadata (data's GgufTest holds the same)
        String note = html.substring(html.indexOf("id=\"upload-note\""));
        note = note.substring(0, note.indexOf("</p>"));
        assertThat(note)
                .contains("The file's 12 tensors")
                .contains("Q4_K, Q6_K, Q8_0")
                .contains("the same.");
        // posting the config box again with no file, as the page does on a change, shows the same model
        String config = box.substring(box.indexOf('>') + 1)
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
        RawHttp.Response again = post(form(Map.of("config", config, "hardware", "h100-sxm"), "", new byte[0]));
        String page = new String(again.body(), StandardCharsets.UTF_8);
        assertThat(again.status()).as(page).isEqualTo(200);
        assertThat(page).contains("Showing <strong>tiny-llama-Q4_K_M</strong>").contains("from the pasted config.json");
        assertThat(page).doesNotContain("id=\"error-file\"");
    }

    @Test
    void aGgufCutInsideItsHeaderIsRefusedNamingTheField() throws Exception {
        byte[] header = TinyGguf.llamaHeader();
        RawHttp.Response r = post(form(Map.of(), "x.gguf", java.util.Arrays.copyOf(header, header.length - 5)));
        String html = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.status()).isEqualTo(400);
        assertThat(html).contains("id=\"error-file\"").contains("file: GGUF file x.gguf cannot be read: it ends");
        RawHttp.Response notGguf = post(form(Map.of(), "y.gguf", "GGML1234".getBytes(StandardCharsets.US_ASCII)));
        assertThat(notGguf.status()).isEqualTo(400);
        assertThat(new String(notGguf.body(), StandardCharsets.UTF_8)).contains("does not start with GGUF");
    }

    @Test
    void anUploadOverTheLimitIs413NamingTheFieldUnread() throws Exception {
        byte[] big = new byte[(int) PlannerPage.MAX_UPLOAD_BYTES + 1];
        RawHttp.Response r = post(form(Map.of(), "big.gguf", big));
        String html = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.status()).isEqualTo(413);
        assertThat(html)
                .contains("id=\"error-file\"")
                .contains("file: the upload is")
                .contains("at most 33554432");
        // other routes keep their 1 MiB
        RawHttp.Response estimate =
                http.post("/api/estimate", "application/json", new byte[(int) StrataServer.MAX_BODY_BYTES + 1]);
        assertThat(estimate.status()).isEqualTo(413);
    }

    /**
     * Meta-Llama-3-8B's index totals: total_size 16,060,522,496 bytes of bf16 (docs/architecture.md), so
     * 8,030,261,248 parameters, which strata counts exactly from its config.
     */
    private static final String INDEX =
            "{\"metadata\": {\"total_size\": 16060522496, \"total_parameters\": 8030261248},"
                    + " \"weight_map\": {\"lm_head.weight\": \"model-00004-of-00004.safetensors\","
                    + " \"model.embed_tokens.weight\": \"model-00001-of-00004.safetensors\","
                    + " \"model.norm.weight\": \"model-00004-of-00004.safetensors\"}}";

    @Test
    void anIndexAloneBuildsNoModelAndWithAConfigItIsCheckedAgainstIt() throws Exception {
        byte[] index = INDEX.getBytes(StandardCharsets.UTF_8);
        RawHttp.Response alone = post(form(Map.of(), "model.safetensors.index.json", index));
        String html = new String(alone.body(), StandardCharsets.UTF_8);
        assertThat(alone.status()).isEqualTo(400);
        assertThat(html)
                .contains("id=\"error-file\"")
                .contains("file: model.safetensors.index.json names the checkpoint&#39;s 3 tensors")
                .contains("config.json");
        String config = Files.readString(Path.of("testdata/hf-configs/llama-3-8b.json"));
        RawHttp.Response checked = post(form(Map.of("config", config), "model.safetensors.index.json", index));
        String page = new String(checked.body(), StandardCharsets.UTF_8);
        assertThat(checked.status()).as(page).isEqualTo(200);
        String note = page.substring(page.indexOf("id=\"upload-note\""));
        note = note.substring(0, note.indexOf("</p>"));
        assertThat(note).contains("lists 3 tensors in 2 shards").contains("(the same)");
        RawHttp.Response broken =
                post(form(Map.of("config", config), "model.safetensors.index.json", "{\"weight_map\": 3}".getBytes()));
        assertThat(broken.status()).isEqualTo(400);
        assertThat(new String(broken.body(), StandardCharsets.UTF_8)).contains("has no weight_map object");
    }
}
