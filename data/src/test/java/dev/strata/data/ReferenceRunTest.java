package dev.strata.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.estimator.params.Parameters;
import dev.strata.model.InvalidFieldException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceRunTest {
    @Test
    void theShippedRunHasItsPointsSpecsAndCalibration() {
        ReferenceRun run = ReferenceRun.shipped();
        // data/reference/README.md: 5 models x fp32/bf16, 19 (batch, context) points each: 38 processes
        Set<String> points = run.points().stream()
                .map(p -> p.model() + "/" + p.dtype() + "/" + p.batch() + "/" + p.context())
                .collect(Collectors.toSet());
        assertThat(points).hasSize(38);
        assertThat(run.specs().keySet())
                .containsExactlyInAnyOrder(
                        "specs/llama-11m.json",
                        "specs/gpt2-124m.json",
                        "specs/moe-194m.json",
                        "specs/qwen2.5-0.5b.json",
                        "specs/llama-3.2-1b.json");
        for (ReferenceRun.MeasuredPoint p : run.points()) {
            assertThat(p.kvCapacityTokens()).isEqualTo(p.context() + p.generated());
            // the spec the harness built is the spec strata counts
            if (p.quantity().equals("params"))
                assertThat(Parameters.count(run.spec(p)).total()).as(p.model()).isEqualTo((long) p.measured());
        }
        assertThat(run.calibration().formats()).containsExactlyInAnyOrder("fp32", "bf16");
    }

    @Test
    void theShippedGpuRunHasSixModelsUpToLlama3Of8B() {
        // data/reference/README.md: run.py --full --device cuda on an H100: the CPU grid (19 points x fp32/bf16, every
        // one prefilled) plus 4 points of Llama 3 8B in each format: 46 points
        ReferenceRun run = ReferenceRun.shipped("cuda");
        assertThat(run.device()).isEqualTo("cuda");
        assertThat(run.points().stream()
                        .map(p -> p.model() + "/" + p.dtype() + "/" + p.batch() + "/" + p.context())
                        .distinct())
                .hasSize(46);
        assertThat(run.specs()).hasSize(6).containsKey("specs/llama-3-8b.json");
        for (ReferenceRun.MeasuredPoint p : run.points())
            if (p.quantity().equals("params"))
                assertThat(Parameters.count(run.spec(p)).total()).as(p.model()).isEqualTo((long) p.measured());
        // Llama 3 8B's published count (strata's preset and docs/architecture.md): 8,030,261,248
        assertThat(run.points().stream()
                        .filter(p -> p.quantity().equals("params") && p.model().equals("llama-3-8b"))
                        .findFirst()
                        .orElseThrow()
                        .measured())
                .isEqualTo(8_030_261_248.0);
        assertThatThrownBy(() -> ReferenceRun.shipped("tpu"))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("device")
                .hasMessageContaining("cpu, cuda");
    }

    @Test
    void aGpuRunFolderIsReadByItsFileNames(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("specs"));
        Files.writeString(
                dir.resolve("specs/x.json"),
                new String(ReferenceRun.class
                        .getResourceAsStream("measured-cuda/specs/llama-11m.json")
                        .readAllBytes()));
        Files.writeString(
                dir.resolve("cuda-reference.csv"),
                "quantity,model,spec,dtype,batch,context,measured\nparams,x,specs/x.json,fp32,1,1,5\n");
        // the points are a GPU run's, so its calibration is the GPU's file
        assertThatThrownBy(() -> ReferenceRun.read(dir)).hasMessageContaining("cuda-calibration.csv");
    }

    @Test
    void aFolderWithoutTheHarnessFilesIsNamedInTheError(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ReferenceRun.read(dir))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("cpu-reference.csv");
        Files.writeString(
                dir.resolve("cpu-reference.csv"),
                "quantity,model,spec,dtype,batch,context,measured\nparams,x,../x.json,fp32,1,1,5\n");
        assertThatThrownBy(() -> ReferenceRun.read(dir)).hasMessageContaining("a spec path inside the run's folder");
        Files.writeString(
                dir.resolve("cpu-reference.csv"),
                "quantity,model,spec,dtype,batch,context\nparams,x,x.json,fp32,1,1\n");
        assertThatThrownBy(() -> ReferenceRun.read(dir)).hasMessageContaining("no column 'measured'");
    }
}
