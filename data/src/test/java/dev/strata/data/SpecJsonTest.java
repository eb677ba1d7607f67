package dev.strata.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.model.Activation;
import dev.strata.model.GatedMlp;
import dev.strata.model.LayerKind;
import dev.strata.model.MixtureOfExperts;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.ProjectionBiases;
import dev.strata.model.StateSpaceMixer;
import dev.strata.model.TransformerSpec;
import org.junit.jupiter.api.Test;

class SpecJsonTest {

    @Test
    void everyPresetRoundTripsThroughSpecJson() throws Exception {
        ObjectMapper m = new ObjectMapper();
        for (Preset p : PresetCatalog.all()) {
            String json = SpecJson.write(p.spec());
            TransformerSpec back = HfConfigImporter.fromJson(json, "ignored");
            assertThat(back).as(p.id()).isEqualTo(p.spec());
            assertThat(m.readTree(json).at("/layers/0/kind/attention/type").asText())
                    .isIn("multiHead", "latent", "linear", "stateSpace", "none");
        }
    }

    @Test
    void theNewerAttentionAndExpertFieldsRoundTripAndOldSpecsReadWithTheirDefaults() {
        var attention = new MultiHeadAttention(8, 2, 64, ProjectionBiases.ALL, true, true, true, true);
        var moe = new MixtureOfExperts(
                new GatedMlp(256, Activation.SILU, true),
                8,
                1,
                2,
                true,
                new GatedMlp(512, Activation.SILU, false),
                true);
        TransformerSpec spec = TransformerSpec.builder()
                .name("new-fields")
                .vocabSize(1000)
                .hiddenSize(512)
                .layers(2, LayerKind.global(attention, moe))
                .build();
        assertThat(HfConfigImporter.fromJson(SpecJson.write(spec), "x")).isEqualTo(spec);
        // a spec written before these fields existed: no sinks, no gate, per-head norms, shared experts of the
        // routed shape
        for (String id : new String[] {"deepseek-v3", "qwen3-8b", "mixtral-8x7b"}) {
            com.fasterxml.jackson.databind.JsonNode old =
                    SpecJson.tree(PresetCatalog.get(id).spec());
            for (com.fasterxml.jackson.databind.JsonNode group : old.get("layers")) {
                var kind = group.get("kind");
                ((com.fasterxml.jackson.databind.node.ObjectNode) kind.get("attention"))
                        .remove(java.util.List.of("qkNormAcrossHeads", "sinks", "gatedOutput"));
                ((com.fasterxml.jackson.databind.node.ObjectNode) kind.get("feedForward"))
                        .remove(java.util.List.of("sharedExpert", "sharedExpertGate"));
            }
            assertThat(old.toString()).doesNotContain("sinks").doesNotContain("\"sharedExpert\"");
            assertThat(HfConfigImporter.fromNode(old, "x"))
                    .as(id)
                    .isEqualTo(PresetCatalog.get(id).spec());
        }
    }

    @Test
    void aParallelMixerRoundTripsAndAStateSpaceMixerWrittenBeforeItsFlagsKeepsItsNormAndBiases() {
        var mamba = new StateSpaceMixer(8, 64, 1, 128, 4, true, false, true, false);
        var attention = new MultiHeadAttention(8, 2, 64, ProjectionBiases.NONE, false);
        TransformerSpec hybrid = TransformerSpec.builder()
                .name("parallel")
                .vocabSize(1000)
                .hiddenSize(512)
                .layers(2, new LayerKind(attention, 0, new GatedMlp(1024, Activation.SILU, false), mamba))
                .build();
        assertThat(HfConfigImporter.fromJson(SpecJson.write(hybrid), "x")).isEqualTo(hybrid);
        // a layer written without parallelMixer has none; a stateSpace mixer without outputBias and gatedNorm reads
        // as the Mamba-2 of Nemotron-H: one bias flag for both projections, and the gated norm
        com.fasterxml.jackson.databind.node.ObjectNode old = (com.fasterxml.jackson.databind.node.ObjectNode)
                SpecJson.tree(PresetCatalog.get("nemotron-3-nano-30b-a3b").spec());
        for (com.fasterxml.jackson.databind.JsonNode group : old.get("layers")) {
            var kind = (com.fasterxml.jackson.databind.node.ObjectNode) group.get("kind");
            kind.remove("parallelMixer");
            ((com.fasterxml.jackson.databind.node.ObjectNode) kind.get("attention"))
                    .remove(java.util.List.of("outputBias", "gatedNorm"));
        }
        assertThat(old.toString()).doesNotContain("gatedNorm").doesNotContain("parallelMixer");
        assertThat(HfConfigImporter.fromNode(old, "x"))
                .isEqualTo(PresetCatalog.get("nemotron-3-nano-30b-a3b").spec());
    }

    @Test
    void aBadSpecNamesTheField() {
        String json =
                SpecJson.write(PresetCatalog.get("gpt2").spec()).replace("\"hiddenSize\" : 768", "\"hiddenSize\" : -1");
        assertThatThrownBy(() -> HfConfigImporter.fromJson(json, "x"))
                .hasMessageStartingWith("hiddenSize = -1 is not allowed");
        String unknownType = SpecJson.write(PresetCatalog.get("gpt2").spec())
                .replace("\"type\" : \"dense\"", "\"type\" : \"quantum\"");
        assertThatThrownBy(() -> HfConfigImporter.fromJson(unknownType, "x"))
                .hasMessageContaining("spec JSON is not valid at")
                .hasMessageContaining("feedForward");
    }
}
