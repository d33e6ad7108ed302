package dev.dlc.data;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A CSV file read as text: a header row of column names, then rows of as many fields.
 * Fields are separated by commas; a field in double quotes may hold commas and "" for a
 * quote (RFC 4180), but not line breaks. Blank lines are skipped.
 */
final class CsvFile {
    final List<String> header;
    final List<List<String>> rows;
    /** The 1-based line of each row, for messages. */
    final List<Integer> lines;

    private CsvFile(List<String> header, List<List<String>> rows, List<Integer> lines) {
        this.header = header;
        this.rows = rows;
        this.lines = lines;
    }

    static CsvFile read(Path path) throws DataError {
        List<String> text;
        try {
            text = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DataError("csv: no file " + path);
        } catch (MalformedInputException e) {
            throw new DataError("csv: " + path + " is not UTF-8 text");
        } catch (IOException e) {
            throw new DataError("csv: cannot read " + path + ": " + e.getMessage(), e);
        }
        List<String> header = null;
        var rows = new ArrayList<List<String>>();
        var lines = new ArrayList<Integer>();
        for (int i = 0; i < text.size(); i++) {
            if (text.get(i).isBlank()) continue;
            List<String> fields = fields(text.get(i), path, i + 1);
            if (header == null) { header = fields; continue; }
            if (fields.size() != header.size())
                throw new DataError(path + ":" + (i + 1) + ": expected " + header.size() + " fields as in the header, found " + fields.size());
            rows.add(fields);
            lines.add(i + 1);
        }
        if (header == null) throw new DataError("csv: " + path + " is empty; expected a header row of column names");
        return new CsvFile(header, rows, lines);
    }

    /** Splits one line into fields, unquoting quoted ones and trimming unquoted ones. */
    static List<String> fields(String line, Path path, int lineNo) throws DataError {
        var out = new ArrayList<String>();
        var field = new StringBuilder();
        boolean quoted = false, wasQuoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c != '"') field.append(c);
                else if (i + 1 < line.length() && line.charAt(i + 1) == '"') { field.append('"'); i++; }
                else quoted = false;
            } else if (c == '"') {
                quoted = wasQuoted = true;
            } else if (c == ',') {
                out.add(wasQuoted ? field.toString() : field.toString().trim());
                field.setLength(0);
                wasQuoted = false;
            } else {
                field.append(c);
            }
        }
        if (quoted) throw new DataError(path + ":" + lineNo + ": a quoted field is not closed");
        out.add(wasQuoted ? field.toString() : field.toString().trim());
        return out;
    }
}
