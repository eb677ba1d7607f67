package dev.strata.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
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
                    .isIn("multiHead", "latent");
        }
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
