package migration.cli;

import io.channel.memory.DirtyTracker;
import io.channel.memory.DirtyTrackerProvider;
import io.channel.memory.DirtyTrackers;
import io.channel.memory.DirtyTrackingRefusedException;
import io.channel.memory.PageMemory;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * For {@code multifd info}: which dirty tracker a live migration would give each kind of memory here, and why.
 * The choice is made as the migration makes it ({@link DirtyTrackers}): the selected provider, unless it refuses
 * the region, and then {@code portable}. Each kind is tried for real on a small region (the kernel tracker
 * registers it with {@code userfaultfd}, nothing is armed), which is then freed.
 *
 * @param selection  the provider selected here, or {@code null} when none can be ({@link #selectionError})
 * @param selectionError why no provider can be selected, or {@code null}
 * @param kinds      each kind of memory with its tracker
 */
record TrackerSurvey(DirtyTrackers.Selection selection, String selectionError, List<Kind> kinds) {

    /** Small, but whole pages and more than one huge page's worth where huge pages are asked for. */
    private static final long REGION = 4L << 20;
    private static final long PAGE = DirtyTracker.PAGE_SIZE;

    /**
     * One kind of memory.
     *
     * @param name     what it is
     * @param usedBy   where multifd uses it
     * @param tracker  the tracker's provider, or {@code null} if the kind could not be tried
     * @param why      why that tracker: chosen, or why the chosen one refused; or why it could not be tried
     */
    record Kind(String name, String usedBy, String tracker, String why) {
    }

    /** Memory of one kind, made in an arena. */
    private interface Maker {
        MemorySegment make(Arena arena) throws IOException;
    }

    /** {@return the survey of this machine, honouring {@value DirtyTrackers#TRACKER_PROPERTY}} */
    static TrackerSurvey run() {
        DirtyTrackers.Selection selection;
        try {
            selection = DirtyTrackers.select(DirtyTrackers.all(), System.getProperty(DirtyTrackers.TRACKER_PROPERTY));
        } catch (RuntimeException e) {
            return new TrackerSurvey(null, OneLine.of(e), List.of());
        }
        List<Kind> kinds = new ArrayList<>();
        kinds.add(probe(selection, "anonymous", "RamBlock.anonymous; demo, receive --size",
                arena -> PageMemory.allocate(REGION, false, arena)));
        kinds.add(probe(selection, "anonymous, transparent huge pages", "PageMemory.allocate(..., true, ...)",
                arena -> PageMemory.allocate(REGION, true, arena)));
        Path file = null;
        try {
            file = Files.createTempFile("multifd-info-", ".img");
            Path sized = file;
            kinds.add(probe(selection, "file, shared and writable", "RamBlock.mapFile writable; receive --into",
                    arena -> map(sized, FileChannel.MapMode.READ_WRITE, arena)));
            kinds.add(probe(selection, "file, read-only", "RamBlock.mapFile read-only; send --from",
                    arena -> map(sized, FileChannel.MapMode.READ_ONLY, arena)));
        } catch (IOException e) {
            kinds.add(new Kind("file", "RamBlock.mapFile; send --from, receive --into", null,
                    "could not be tried here: " + OneLine.of(e)));
        } finally {
            deleteQuietly(file);
        }
        kinds.add(probe(selection, "Java heap array", "RamBlock.of(MemorySegment.ofArray(...))",
                arena -> MemorySegment.ofArray(new byte[(int) (16 * PAGE)])));
        kinds.add(probe(selection, "native, not page-aligned", "RamBlock.of(Arena.allocate(...))",
                arena -> arena.allocate(17 * PAGE, PAGE).asSlice(64, 16 * PAGE)));
        return new TrackerSurvey(selection, null, List.copyOf(kinds));
    }

    private static Kind probe(DirtyTrackers.Selection selection, String name, String usedBy, Maker maker) {
        DirtyTrackerProvider chosen = selection.chosen();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = maker.make(arena);
            try (DirtyTracker tracker = chosen.track(memory)) {
                return new Kind(name, usedBy, tracker.providerName(), selection.forced()
                        ? "forced by -D" + DirtyTrackers.TRACKER_PROPERTY : "the selected tracker takes it");
            } catch (DirtyTrackingRefusedException e) {
                // IMPORTANT: what DirtyTrackers.track does with a refused region.
                return new Kind(name, usedBy, "portable", "'" + chosen.name() + "' refused it: " + e.getMessage());
            }
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            return new Kind(name, usedBy, null, "could not be tried here: " + OneLine.of(e));
        }
    }

    /** {@return the file mapped, {@link #REGION} bytes long (sized first)} */
    private static MemorySegment map(Path file, FileChannel.MapMode mode, Arena arena) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(1), REGION - 1);
            return channel.map(mode, 0, REGION, arena);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A small file left in the temporary directory does no harm; the survey is what matters.
        }
    }

    /** {@return the JSON form: providers, chosen and why, and each kind of memory} */
    Map<String, Object> toJson() {
        Map<String, Object> document = new LinkedHashMap<>();
        List<Object> providers = new ArrayList<>();
        for (DirtyTrackerProvider provider : DirtyTrackers.all()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            Throwable cause = provider.unavailabilityCause();
            entry.put("name", provider.name());
            entry.put("priority", provider.priority());
            entry.put("available", cause == null);
            entry.put("cause", cause == null ? null : OneLine.of(cause));
            providers.add(entry);
        }
        document.put("providers", providers);
        document.put("chosen", selection == null ? null : selection.chosen().name());
        document.put("chosen-why", selection == null ? selectionError : why(selection));
        List<Object> memory = new ArrayList<>();
        for (Kind kind : kinds) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("kind", kind.name());
            entry.put("used-by", kind.usedBy());
            entry.put("tracker", kind.tracker());
            entry.put("why", kind.why());
            memory.add(entry);
        }
        document.put("memory", memory);
        return document;
    }

    /** {@return the text form, lines ending in the platform's line break} */
    String toText() {
        String nl = System.lineSeparator();
        StringBuilder text = new StringBuilder("dirty trackers, for live migration (highest priority first):")
                .append(nl);
        List<DirtyTrackerProvider> all = DirtyTrackers.all();
        int width = all.stream().mapToInt(p -> p.name().length()).max().orElse(0);
        for (DirtyTrackerProvider provider : all) {
            Throwable cause = provider.unavailabilityCause();
            text.append("  ").append(provider.name()).append(" ".repeat(width - provider.name().length()))
                    .append("  priority ").append(provider.priority()).append(", ")
                    .append(cause != null ? "unavailable: " + OneLine.of(cause)
                            : provider.priority() < 0 ? "available, used only when asked for by name (-D"
                            + DirtyTrackers.TRACKER_PROPERTY + "=" + provider.name() + ")" : "available")
                    .append(nl);
        }
        text.append("tracker chosen: ").append(selection == null ? "none (" + selectionError + ")"
                : selection.chosen().name() + " (" + why(selection) + ")").append(nl);
        if (!kinds.isEmpty()) {
            text.append("tracker by kind of memory:").append(nl);
            int kindWidth = kinds.stream().mapToInt(k -> k.name().length()).max().orElse(0);
            for (Kind kind : kinds) {
                text.append("  ").append(kind.name()).append(" ".repeat(kindWidth - kind.name().length()))
                        .append("  ").append(kind.tracker() == null ? "?" : kind.tracker()).append(": ")
                        .append(kind.why()).append(" [").append(kind.usedBy()).append(']').append(nl);
            }
        }
        return text.toString();
    }

    private static String why(DirtyTrackers.Selection selection) {
        return selection.forced() ? "forced by -D" + DirtyTrackers.TRACKER_PROPERTY + "="
                + selection.chosen().name()
                : selection.rejections().getSuppressed().length > 0 ? selection.describe()
                : "the available tracker with the highest priority";
    }
}
