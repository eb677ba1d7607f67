package dev.strata.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.estimator.params.Parameters;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PresetCatalogTest {

    @Test
    void everyReferenceModelAndTheGpt3FamilyIsAPreset() {
        assertThat(PresetCatalog.ids())
                .contains(
                        "gpt2",
                        "llama-2-7b",
                        "llama-3-8b",
                        "llama-3.1-70b",
                        "mistral-7b",
                        "mixtral-8x7b",
                        "qwen2.5-7b",
                        "deepseek-v3",
                        "gpt3-small",
                        "gpt3-medium",
                        "gpt3-large",
                        "gpt3-xl",
                        "gpt3-2.7b",
                        "gpt3-6.7b",
                        "gpt3-13b",
                        "gpt3-175b");
        for (Preset p : PresetCatalog.all()) {
            assertThat(p.id()).matches("[a-z0-9.]+(-[a-z0-9.]+)*");
            assertThat(p.source()).as(p.id()).isNotBlank();
        }
    }

    @Test
    void presetsOfSharedConfigsEqualTheirImport() {
        Map<String, String> files = Map.of(
                "gpt2",
                "gpt2.json",
                "llama-2-7b",
                "llama-2-7b.json",
                "llama-3-8b",
                "llama-3-8b.json",
                "llama-3.1-70b",
                "llama-3.1-70b.json",
                "mistral-7b",
                "mistral-7b-v0.1.json",
                "mixtral-8x7b",
                "mixtral-8x7b-v0.1.json",
                "qwen2.5-7b",
                "qwen2.5-7b.json",
                "deepseek-v3",
                "deepseek-v3.json");
        files.forEach((id, file) -> {
            var imported = HfConfigImporter.fromFile(TestData.path("hf-configs/" + file));
            var preset = PresetCatalog.get(id).spec();
            assertThat(preset.withName("x")).as(id).isEqualTo(imported.withName("x"));
        });
    }

    @Test
    void exactPublishedCountsAreMatchedExactly() {
        for (Preset p : PresetCatalog.all()) {
            if (!p.publishedExact()) continue;
            var c = Parameters.count(p.spec());
            // what the checkpoint holds: the main model, and its MTP block or vision tower where it has one
            assertThat(c.checkpointTotal()).as(p.id()).isEqualTo(p.publishedTotal());
            if (p.publishedActive() != null) assertThat(c.active()).as(p.id()).isEqualTo(p.publishedActive());
        }
    }

    @Test
    void roundedPublishedCountsAreMatchedToTheirPrinting() {
        // GPT-3 Table 2.1 (Brown et al. 2020) prints 125M ... 175.0B: our counts are within 2 % (the paper rounds, and
        // its 2.7B is 2.65B by the same architecture). DeepSeek-V3 card: 671B / 37B, within 2 % (37.55B active: the
        // card rounds down). Kimi K2: the FP8 checkpoint's undocumented count, 3,416 above ours. Llama 4 Scout: the
        // published total holds a vision encoder this config gives no shape for (0.8 %); 17B active (the name).
        for (Preset p : PresetCatalog.all()) {
            if (p.publishedExact() || p.publishedTotal() == null) continue;
            var c = Parameters.count(p.spec());
            assertThat((double) c.total() / p.publishedTotal()).as(p.id()).isBetween(0.98, 1.02);
            if (p.publishedActive() != null)
                assertThat((double) c.active() / p.publishedActive()).as(p.id()).isBetween(0.98, 1.02);
        }
    }
}
