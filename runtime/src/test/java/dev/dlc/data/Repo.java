package dev.dlc.data;

import java.nio.file.Path;

/** Files of the repository, wherever Maven runs the tests from. */
final class Repo {
    private Repo() {}

    static Path file(String relative) {
        return Path.of(System.getProperty("dlc.root", "..")).resolve(relative);
    }
}
