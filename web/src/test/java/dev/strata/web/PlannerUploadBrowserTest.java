package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.web.page.PlannerPage;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The planner's model picker in a real headless Chromium against the real server: a GGUF file larger than the server
 * takes is sent cut to its first bytes (the header is at the start), the page then shows the file's model with the
 * planner's fields as they were, and a later change keeps that model.
 */
class PlannerUploadBrowserTest extends ServedInChromium {

    @Test
    void aGgufFileLargerThanTheLimitIsSentCutToItsHeaderAndItsModelStays(@TempDir Path dir) throws Exception {
        // the header, then tensor data (zeros) up to 1 MiB past what the server accepts
        Path file = dir.resolve("tiny-llama-Q4_K_M.gguf");
        byte[] header = TinyGguf.llamaHeader();
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(header);
            byte[] zeros = new byte[1 << 20];
            for (long left = PlannerPage.MAX_UPLOAD_BYTES + (1 << 20) - header.length; left > 0; left -= zeros.length)
                out.write(zeros, 0, (int) Math.min(zeros.length, left));
        }
        assertThat(Files.size(file)).isGreaterThan(PlannerPage.MAX_UPLOAD_BYTES);
        driver.manage().logs().get(LogType.BROWSER); // drops what earlier pages logged
        driver.get(base + "/?hardware=h200-sxm&devices=2");
        driver.findElement(By.id("config-file")).sendKeys(file.toString());
        wait(60).until(d -> showing().contains("from the header of the GGUF file tiny-llama-Q4_K_M.gguf"));
        assertThat(showing()).startsWith("Showing tiny-llama-Q4_K_M");
        assertThat(driver.findElement(By.id("upload-note")).getText()).contains("The file's 12 tensors");
        // the planner's fields went along with the file
        assertThat(new Select(driver.findElement(By.id("hardware")))
                        .getFirstSelectedOption()
                        .getAttribute("value"))
                .isEqualTo("h200-sxm");
        assertThat(driver.findElement(By.name("devices")).getAttribute("value")).isEqualTo("2");
        assertThat(driver.findElement(By.id("config")).getAttribute("value")).contains("\"hidden_size\" : 256");
        // a later change posts the config box: the same model, now said to be from the config
        WebElement batch = driver.findElement(By.name("batch"));
        batch.clear();
        batch.sendKeys("4");
        wait(30).until(d -> showing().contains("from the pasted config.json"));
        assertThat(showing()).startsWith("Showing tiny-llama-Q4_K_M");
        assertThat(Chromium.consoleProblems(driver)).isEmpty();
    }

    private static String showing() {
        try {
            var s = driver.findElements(By.id("showing"));
            return s.isEmpty() ? "" : s.get(0).getText();
        } catch (StaleElementReferenceException e) {
            return ""; // replaced while read: read again
        }
    }

    private static WebDriverWait wait(int seconds) {
        WebDriverWait w = new WebDriverWait(driver, Duration.ofSeconds(seconds));
        w.ignoring(StaleElementReferenceException.class);
        return w;
    }
}
