package dev.chanscope.gdb;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A value in an MI record: a C-string constant, a tuple {@code {a=..,b=..}} or a list
 * {@code [..]} of values or of name=value results (MI allows duplicate names in lists, e.g.
 * {@code stack=[frame={..},frame={..}]}).
 */
public sealed interface MiValue permits MiValue.Const, MiValue.Tuple, MiValue.ValueList, MiValue.ResultList {

    /** A C-string constant, already unescaped. */
    record Const(String value) implements MiValue {}

    /** {@code {name=value,...}}; names are unique in practice, order kept. */
    record Tuple(Map<String, MiValue> fields) implements MiValue {
        public Optional<MiValue> get(String name) {
            return Optional.ofNullable(fields.get(name));
        }

        /** The constant field {@code name}, or empty when absent or not a constant. */
        public Optional<String> string(String name) {
            return get(name).filter(Const.class::isInstance).map(v -> ((Const) v).value());
        }
    }

    /** {@code [value,value,...]}. */
    record ValueList(List<MiValue> values) implements MiValue {}

    /** {@code [name=value,name=value,...]}; names may repeat. */
    record ResultList(List<Map.Entry<String, MiValue>> results) implements MiValue {
        public List<MiValue> values() {
            return results.stream().map(Map.Entry::getValue).toList();
        }
    }
}
