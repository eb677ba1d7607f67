package dev.strata.estimator.params;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.estimator.TestModels;
import dev.strata.model.LayerKind;
import dev.strata.model.Projection;
import dev.strata.model.TransformerSpec;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MatrixVisitorTest {

    @Test
    void exactPublishedCountsStillHoldAfterTheMatrixVisitorRefactor() {
        // docs/architecture.md, "Exact parameter counts"; exact
        assertThat(Parameters.count(TestModels.llama3_8b()).total()).isEqualTo(8_030_261_248L);
        assertThat(Parameters.count(TestModels.llama2_7b()).total()).isEqualTo(6_738_415_616L);
        assertThat(Parameters.count(TestModels.mistral7b()).total()).isEqualTo(7_241_732_096L);
        ParameterCount mixtral = Parameters.count(TestModels.mixtral8x7b());
        assertThat(mixtral.total()).isEqualTo(46_702_792_704L);
        assertThat(mixtral.active()).isEqualTo(12_879_925_248L);
    }

    @Test
    void theVisitedMatricesAreExactlyTheLayerMinusItsNorms() {
        // one Llama-3-8B layer: 218,103,808 matrix weights + 2 x 4096 RMSNorm weights (HF modeling_llama); exact
        TransformerSpec spec = TestModels.llama3_8b();
        LayerKind kind = spec.layers().get(0).kind();
        long[] sum = new long[1];
        Set<Projection> roles = EnumSet.noneOf(Projection.class);
        Parameters.forEachMatrix(kind, 4096, (c, role, in, out, bias, copies, active) -> {
            sum[0] += Parameters.linear(in, out, bias) * copies;
            roles.add(role);
        });
        assertThat(sum[0]).isEqualTo(218_103_808L);
        assertThat(Parameters.layer(kind, 4096, spec.norms())).isEqualTo(218_103_808L + 2 * 4096);
        assertThat(roles)
                .containsExactlyInAnyOrder(
                        Projection.QUERY,
                        Projection.KEY,
                        Projection.VALUE,
                        Projection.OUTPUT,
                        Projection.MLP_GATE,
                        Projection.MLP_UP,
                        Projection.MLP_DOWN);
    }
}
