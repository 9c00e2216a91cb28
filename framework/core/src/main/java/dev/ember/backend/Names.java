package dev.ember.backend;

/** Lower-case names of enum constants, computed once: ops ask for theirs on every call (for messages). */
final class Names {
    private static final ClassValue<String[]> LOWER = new ClassValue<>() {
        @Override
        protected String[] computeValue(Class<?> type) {
            Object[] constants = type.getEnumConstants();
            String[] names = new String[constants.length];
            for (int i = 0; i < names.length; i++) {
                names[i] = ((Enum<?>) constants[i]).name().toLowerCase(java.util.Locale.ROOT);
            }
            return names;
        }
    };

    private Names() {
    }

    static String lower(Enum<?> e) {
        return LOWER.get(e.getDeclaringClass())[e.ordinal()];
    }
}
