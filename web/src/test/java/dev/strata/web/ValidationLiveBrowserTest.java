package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The validation page's live form in a real headless Chromium against the real server: a change of quantity or run
 * shows it without a page load, the URL follows, and switching between the shipped runs and the published runs (which
 * have no quantity) shows each view's own fields.
 */
class ValidationLiveBrowserTest extends ServedInChromium {

    @Test
    void theQuantityAndTheRunFollowTheFormWithoutAPageLoad() {
        driver.manage().logs().get(LogType.BROWSER); // drops what earlier pages logged
        driver.get(base + "/validation?device=cpu&quantity=decode_seconds_per_token");
        JavascriptExecutor js = driver;
        js.executeScript("window.strataMarker = 'kept';"); // a page load would drop it
        assertThat(heading()).isEqualTo("decode_seconds_per_token: estimate vs measured");
        // another quantity: the second of the list the page offers
        Select quantity = new Select(driver.findElement(By.name("quantity")));
        String other = quantity.getOptions().get(1).getAttribute("value");
        assertThat(other).isNotEqualTo("decode_seconds_per_token");
        quantity.selectByValue(other);
        wait(20).until(d -> heading().equals(other + ": estimate vs measured"));
        assertThat(js.executeScript("return window.strataMarker")).isEqualTo("kept");
        wait(10).until(d -> d.getCurrentUrl().contains("quantity=" + other));
        // the published runs: their tables, and a form without the quantity the shipped runs have
        new Select(driver.findElement(By.name("device"))).selectByValue("published");
        wait(60).until(d -> !d.findElements(By.id("published-summary")).isEmpty());
        assertThat(driver.findElements(By.name("quantity"))).isEmpty();
        assertThat(driver.findElements(By.id("summary"))).isEmpty();
        assertThat(js.executeScript("return window.strataMarker")).isEqualTo("kept");
        wait(10).until(d -> d.getCurrentUrl().endsWith("/validation?device=published"));
        // and back: the quantity field again, with the page's default quantity, and its chart drawn
        new Select(driver.findElement(By.name("device"))).selectByValue("cpu");
        wait(20).until(d -> !d.findElements(By.name("quantity")).isEmpty()
                && !d.findElements(By.id("points")).isEmpty()
                && d.findElements(By.id("published-summary")).isEmpty());
        assertThat(new Select(driver.findElement(By.name("quantity")))
                        .getFirstSelectedOption()
                        .getAttribute("value"))
                .isEqualTo("decode_seconds_per_token"); // ValidationPage.render's default
        assertThat(js.executeScript("return window.strataMarker")).isEqualTo("kept");
        wait(10).until(d -> d.getCurrentUrl().contains("device=cpu")
                && d.getCurrentUrl().contains("quantity=decode_seconds_per_token"));
        wait(20).until(d ->
                !d.findElements(By.cssSelector("#validation-plot .uplot")).isEmpty());
        assertThat(Chromium.consoleProblems(driver)).isEmpty();
    }

    private static String heading() {
        for (int tries = 0; ; tries++)
            try {
                for (var h : driver.findElements(By.cssSelector("main h2")))
                    if (h.getText().endsWith(": estimate vs measured")) return h.getText();
                return "";
            } catch (StaleElementReferenceException e) {
                if (tries > 5) throw e; // replaced while read: read again
            }
    }

    private static WebDriverWait wait(int seconds) {
        WebDriverWait w = new WebDriverWait(driver, Duration.ofSeconds(seconds));
        w.ignoring(StaleElementReferenceException.class);
        return w;
    }
}
