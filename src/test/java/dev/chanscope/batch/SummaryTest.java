package dev.chanscope.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signatures, the summary built from them, and reading outputs back. */
class SummaryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What a batch killed mid-write leaves. */
    private static final String CUT = "{\"status\":\"ok\",\"inp";

    @TempDir
    Path dir;

    private static String line(String core, String sha, String pattern, double confidence, String closerFile,
                               String senderFile) {
        return ("{'schemaVersion':1,'tool':'chanscope','status':'ok','error':null,'exitCode':0,'elapsedMs':7,"
                + "'input':{'core':'" + core + "','binary':'b','layers':[],'sha256':'" + sha + "'},"
                + "'panic':{'message':'send on closed channel','userFrame':{'function':'main.send','file':'" + senderFile
                + "','line':12}},'diagnosis':{'pattern':'" + pattern + "','confidence':" + confidence + ","
                + "'closer':{'function':'main.(*Pool).Close','file':'" + closerFile + "','line':88},"
                + "'sender':{'function':'main.send','file':'" + senderFile + "','line':12}}}").replace('\'', '"');
    }

    private static String failure(String core, String sha, String status, String error) {
        return ("{'schemaVersion':1,'status':'" + status + "','error':'" + error + "','exitCode':null,'elapsedMs':1,"
                + "'input':{'core':'" + core + "','binary':null,'layers':[],'sha256':'" + sha + "'}}").replace('\'', '"');
    }

    private static CoreOutcome outcome(String line) throws Exception {
        return CoreOutcome.of(JSON.readTree(line));
    }

    @Test
    void checkoutsGroupTogetherAndLinesApart() throws Exception {
        CoreOutcome a = outcome(line("c1", "1", "multi-closer", 0.9, "/home/a/src/svc/pool/pool.go", "/home/a/src/svc/main.go"));
        CoreOutcome b = outcome(line("c2", "2", "multi-closer", 0.8, "/build/svc/pool/pool.go", "/build/svc/main.go"));
        assertEquals(a.signature(), b.signature());
        assertEquals(Optional.of("main.(*Pool).Close pool/pool.go:88"), a.signature().get().closer());
        assertEquals(Optional.of("main.send svc/main.go:12"), a.signature().get().sender());
        CoreOutcome c = outcome(line("c3", "3", "multi-closer", 0.9, "/build/svc/other/pool.go", "/build/svc/main.go"));
        assertTrue(!a.signature().equals(c.signature()), "another directory is another close");

        List<CoreOutcome> all = new ArrayList<>(List.of(a, b, c,
                outcome(failure("/x/c4", "4", "error", "no binary for core /x/c4 (Go build id aB3/xY9): looked at 12 files")),
                outcome(failure("/y/c5", "5", "error", "no binary for core /y/c5 (Go build id Zq1/pp0): looked at 3 files")),
                outcome(failure("c6", "6", "timeout", "no result within 5m"))));
        Summary s = Summary.of(all);
        assertEquals(6, s.cores());
        assertEquals(2, s.groups().size());
        Summary.Group top = s.groups().get(0);
        assertEquals(2, top.count());
        assertEquals(0.85, top.meanConfidence().getAsDouble(), 1e-9);
        assertEquals(List.of("c1", "c2"), top.examples());
        assertEquals(2, s.errors().size(), "the two missing binaries are one problem: " + s.errors());
        assertEquals("no binary for core CORE (Go build id ID): looked at N files", s.errors().get(0).message());
        assertEquals("6 cores: 3 ok, 2 error, 1 timeout", s.headline());

        Collections.reverse(all);
        assertEquals(s, Summary.of(all), "the order the cores finished in does not matter");
        String text = SummaryReport.render(s, SummaryReport.Format.TEXT);
        assertTrue(text.contains("closer  main.(*Pool).Close pool/pool.go:88"), text);
        JsonNode json = JSON.readTree(SummaryReport.render(s, SummaryReport.Format.JSON));
        assertEquals(2, json.at("/groups/0/count").asInt());
        assertEquals(1, json.at("/statuses/timeout").asInt());
        assertTrue(SummaryReport.render(s, SummaryReport.Format.MARKDOWN).contains("| 2 | multi-closer | 0.85 |"));
    }

    @Test
    void aPanicThatIsNotAboutAChannelGroupsByMessageAndFrame() throws Exception {
        String l = ("{'status':'ok','input':{'core':'c','sha256':'9'},'panic':{'message':'runtime error: index out of "
                + "range [5] with length 3','userFrame':{'function':'main.get','file':'/s/app/get.go','line':9}},"
                + "'diagnosis':{'pattern':'not-channel-panic','confidence':0.99,'closer':null,'sender':null}}").replace('\'', '"');
        Signature s = outcome(l).signature().orElseThrow();
        assertEquals(Optional.of("runtime error: index out of range [N] with length N"), s.panic());
        assertEquals(Optional.of("main.get app/get.go:9"), s.sender());
        assertTrue(!s.isChannel());
    }

    @Test
    void theLastLineOfACoreCountsButATimeoutNeverReplacesAResult() throws Exception {
        Path f = dir.resolve("out.jsonl");
        Files.writeString(f, String.join("\n",
                line("c1", "1", "multi-closer", 0.9, "a/b.go", "a/c.go"),
                failure("c2", "2", "timeout", "no result within 1s"),
                failure("c1", "1", "timeout", "no result within 1s"),
                line("c2", "2", "defer-close", 0.9, "a/b.go", "a/c.go"),
                "") + CUT);
        assertEquals(CUT.length(), JsonLinesFile.repairTail(f));
        assertTrue(Files.readString(f).endsWith("}\n"));
        var latest = JsonLinesFile.latest(List.of(f));
        assertEquals(2, latest.size());
        assertEquals(Status.OK, latest.get("1").outcome().status());
        assertEquals("defer-close", latest.get("2").outcome().signature().orElseThrow().pattern());
        assertEquals(4, latest.get("2").number());
    }
}
