package dev.chanscope.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chanscope.binary.CallSite;
import dev.chanscope.binary.SourcePos;
import dev.chanscope.diagnose.CloserCandidate;
import dev.chanscope.diagnose.Diagnosis;
import dev.chanscope.diagnose.Evidence;

/** The {@code diagnosis} object of the JSON report (docs/json-schema.md). */
final class DiagnosisJson {
    private final ObjectMapper mapper;

    DiagnosisJson(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    ObjectNode build(Diagnosis d) {
        ObjectNode n = mapper.createObjectNode();
        n.put("pattern", d.pattern().id());
        n.put("confidence", d.confidence());
        n.put("headline", d.headline());
        ArrayNode ev = n.putArray("evidence");
        for (Evidence e : d.evidence()) {
            ObjectNode o = ev.addObject();
            o.put("kind", e.kind());
            o.put("weight", e.weight().name().toLowerCase(java.util.Locale.ROOT));
            o.put("text", e.text());
        }
        ArrayNode ru = n.putArray("runnersUp");
        for (Diagnosis.RunnerUp r : d.runnersUp()) {
            ObjectNode o = ru.addObject();
            o.put("pattern", r.pattern().id());
            o.put("confidence", r.confidence());
            o.put("why", r.why());
        }
        d.closer().ifPresentOrElse(c -> n.set("closer", candidate(c)), () -> n.putNull("closer"));
        d.sender().ifPresentOrElse(s -> n.set("sender", pos(s)), () -> n.putNull("sender"));
        n.put("closerBasis", d.basis().id());
        ArrayNode sites = n.putArray("closingSites");
        for (Diagnosis.ClosingSite cs : d.closingSites()) {
            ObjectNode o = sites.addObject();
            o.setAll(pos(cs.candidate().site().source()));
            o.put("status", cs.status());
            o.put("culprit", cs.culprit());
            o.put("why", cs.why());
        }
        ArrayNode cands = n.putArray("closerCandidates");
        d.closers().forEach(c -> cands.add(candidate(c)));
        ArrayNode missing = n.putArray("missingEvidence");
        d.missing().forEach(missing::add);
        ObjectNode fix = n.putObject("fix");
        fix.put("summary", d.fix().summary());
        ArrayNode steps = fix.putArray("steps");
        d.fix().steps().forEach(steps::add);
        ArrayNode un = n.putArray("unresolved");
        d.unresolved().forEach(un::add);
        return n;
    }

    private ObjectNode candidate(CloserCandidate c) {
        ObjectNode o = pos(c.site().source());
        CallSite s = c.site();
        o.put("physicalFunction", s.physical());
        o.put("wrapper", s.wrapper().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        o.put("score", c.score());
        ArrayNode roots = o.putArray("roots");
        c.roots().forEach(roots::add);
        ArrayNode why = o.putArray("reasons");
        c.reasons().forEach(e -> why.add(e.text()));
        return o;
    }

    private ObjectNode pos(SourcePos p) {
        ObjectNode o = mapper.createObjectNode();
        o.put("function", p.function());
        o.put("file", p.file());
        o.put("line", p.line());
        return o;
    }
}
