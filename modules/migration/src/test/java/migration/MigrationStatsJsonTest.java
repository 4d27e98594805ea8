package migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.channel.ChannelStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import migration.json.Json;
import org.junit.jupiter.api.Test;
import testkit.JsonReader;

class MigrationStatsJsonTest {

    private static MigrationStats stats(String reason, String error) {
        return new MigrationStats(MigrationStatus.FAILED, 1234, 56, 1_000_000, 4_194_304, 1024, 6.48, 700, 324,
                2_867_200, 1, 2, 999_000, 4096,
                List.of(new ChannelStats(0, 500_000, 4, "copy", false, ChannelStatistics.EMPTY),
                        new ChannelStats(1, 499_000, 5, "linux", true, ChannelStatistics.EMPTY)),
                new ZeroCopyStats(ZeroCopyMode.AUTO, "copy", false, 3, 2, 1, 0, reason), error, false, 3);
    }

    @SuppressWarnings("unchecked")
    @Test
    void statsRenderAsOneObjectWithQemuNames() {
        Map<String, Object> json = (Map<String, Object>) JsonReader.parse(stats("off by request", "boom").toJson());
        assertThat(json).containsOnlyKeys("status", "ownership", "total-time", "setup-time", "write-protect-time",
                "expected-downtime", "downtime",
                "cpu-throttle-percentage", "ram", "zero-copy", "channels", "live", "verified", "verified-by",
                "unidentified-connections", "tls", "error-desc");
        assertThat(json).containsEntry("tls", Map.of("enabled", false));
        assertThat(json).containsEntry("expected-downtime", -1L).containsEntry("downtime", -1L)
                .containsEntry("cpu-throttle-percentage", 0L);
        assertThat((Map<String, Object>) json.get("live")).containsOnlyKeys("live", "mode", "convergence",
                "trackers", "rounds", "downtime-phases-us").containsEntry("live", false)
                .containsEntry("downtime-phases-us", Map.of("pause-hook", -1L, "last-sync", -1L, "last-round", -1L,
                        "complete", -1L, "result", -1L));
        assertThat(json).containsEntry("status", "failed").containsEntry("total-time", 1234L)
                .containsEntry("setup-time", 56L).containsEntry("write-protect-time", 0L).containsEntry("verified", false).containsEntry("verified-by", "none")
                .containsEntry("unidentified-connections", 3L).containsEntry("error-desc", "boom");
        Map<String, Object> ram = (Map<String, Object>) json.get("ram");
        assertThat(ram).containsOnlyKeys("transferred", "total", "remaining", "mbps", "normal", "normal-bytes",
                "duplicate", "dirty-sync-count", "dirty-sync-missed-zero-copy", "dirty-pages-rate", "multifd-bytes",
                "page-size");
        assertThat(ram).containsEntry("transferred", 1_000_000L).containsEntry("duplicate", 324L)
                .containsEntry("mbps", 6.48).containsEntry("dirty-sync-missed-zero-copy", 2L)
                .containsEntry("page-size", 4096L);
        Map<String, Object> zeroCopy = (Map<String, Object>) json.get("zero-copy");
        assertThat(zeroCopy).containsEntry("mode", "auto").containsEntry("provider", "copy")
                .containsEntry("active", false).containsEntry("sends", 3L).containsEntry("copied", 2L)
                .containsEntry("enobufs-retries", 1L).containsEntry("copy-fallbacks", 0L)
                .containsEntry("reason", "off by request");
        List<Object> channels = (List<Object>) json.get("channels");
        assertThat(channels).hasSize(2);
        assertThat((Map<String, Object>) channels.get(1)).containsOnlyKeys("id", "bytes", "packets", "provider",
                "zero-copy").containsEntry("id", 1L).containsEntry("provider", "linux").containsEntry("zero-copy", true);
    }

    @SuppressWarnings("unchecked")
    @Test
    void errorDescriptionIsLeftOutWhenThereIsNoError() {
        Map<String, Object> json = (Map<String, Object>) JsonReader.parse(stats("zero-copy in effect", null).toJson());
        assertThat(json).doesNotContainKey("error-desc");
    }

    @SuppressWarnings("unchecked")
    @Test
    void stringsWithQuotesBackslashesControlCharactersAndUnicodeRoundTrip() {
        String nasty = "say \"hi\" \\ path C:\\x\n\ttab \u0001 \u007f \u2028 caf\u00e9 \ud83d\ude00 end";
        String text = stats(nasty, "line1\r\nline2").toJson();
        assertThat(text).doesNotContain("\n").doesNotContain("\u0001").contains("\\u0001").contains("\\\"hi\\\"");
        Map<String, Object> json = (Map<String, Object>) JsonReader.parse(text);
        assertThat(((Map<String, Object>) json.get("zero-copy")).get("reason")).isEqualTo(nasty);
        assertThat(json.get("error-desc")).isEqualTo("line1\r\nline2");
    }

    @Test
    void anUnpairedSurrogateIsEscapedSoTheOutputStaysValidUtf8() {
        String text = stats("lone \ud800 surrogate", null).toJson();
        assertThat(text).contains("lone \\ud800 surrogate");
    }

    @Test
    void aNonFiniteRateIsWrittenAsNull() {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("mbps", Double.NaN);
        document.put("list", List.of(1, "a"));

        assertThat(Json.write(document)).isEqualTo("{\"mbps\":null,\"list\":[1,\"a\"]}");
    }
}
