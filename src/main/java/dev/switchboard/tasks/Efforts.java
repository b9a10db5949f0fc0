package dev.switchboard.tasks;

/** The reasoning-effort ladder, and what think_mode "harder" does to it. */
final class Efforts {
    private Efforts() {}

    /** One level up: low → medium → high → xhigh; an unset effort counts as medium. */
    static String raise(String effort) {
        return switch (effort == null ? "medium" : effort) {
            case "low" -> "medium";
            case "medium" -> "high";
            default -> "xhigh";
        };
    }
}
