package dev.strata.web.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackgroundSinkTest {
    @Test
    void passesEveryItemInOrderIncludingALastPartialBatch() {
        List<Integer> seen = new ArrayList<>();
        try (BackgroundSink<Integer> sink = new BackgroundSink<>(seen::add, 7, "test-sink")) {
            for (int i = 0; i < 1000; i++) sink.accept(i); // 142 whole batches of 7 and one of 6
        }
        // close() waits for the consumer, so the list is complete and visible here
        assertThat(seen)
                .containsExactlyElementsOf(IntStream.range(0, 1000).boxed().toList());
    }

    @Test
    void aFailingConsumerFailsTheProducerAndNeverBlocksIt() {
        BackgroundSink<Integer> sink = new BackgroundSink<>(
                i -> {
                    if (i == 50) throw new UncheckedIOException(new java.io.IOException("broken pipe"));
                },
                10,
                "test-sink");
        // far more batches than the queue holds: the producer must get the failure, not wait forever
        assertThatThrownBy(() -> {
                    for (int i = 0; i < 1_000_000; i++) sink.accept(i);
                })
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("broken pipe");
        assertThatThrownBy(sink::close).isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void closeWithoutItemsAndTwiceIsFine() {
        List<Integer> seen = new ArrayList<>();
        BackgroundSink<Integer> sink = new BackgroundSink<>(seen::add, 4, "test-sink");
        sink.close();
        sink.close();
        assertThat(seen).isEmpty();
        assertThatThrownBy(() -> sink.accept(1)).isInstanceOf(IllegalStateException.class);
    }
}
