using System.Text;

namespace NongThonMoi.Infrastructure;

/// <summary>
/// A small RFC 4180 reader: quoted fields, doubled quotes, CRLF or LF, a leading BOM, comma or semicolon.
/// Reference files and district uploads both come through here.
/// </summary>
public static class Csv
{
    public sealed record Row(int Line, IReadOnlyList<string> Fields);

    /// <summary>Reads every non-empty row; <paramref name="delimiter"/> null picks ',' or ';' from the header line.</summary>
    public static List<Row> Read(string text, char? delimiter = null)
    {
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var sep = delimiter ?? Sniff(text);
        var rows = new List<Row>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var rowLine = 1;
        var inQuotes = false;
        var fieldStarted = false;

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                    else inQuotes = false;
                }
                else
                {
                    if (c == '\n') line++;
                    field.Append(c);
                }
                continue;
            }
            if (c == '"' && field.Length == 0 && !fieldStarted) { inQuotes = true; fieldStarted = true; }
            else if (c == sep) { fields.Add(field.ToString()); field.Clear(); fieldStarted = false; }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') { }
            else if (c == '\n' || c == '\r') { EndRow(); line++; rowLine = line; }
            else { field.Append(c); if (!char.IsWhiteSpace(c)) fieldStarted = true; }
        }
        if (inQuotes) throw new CsvFormatException(rowLine);
        EndRow();
        return rows;

        void EndRow()
        {
            fields.Add(field.ToString());
            field.Clear();
            fieldStarted = false;
            if (fields.Count > 1 || fields[0].Trim().Length > 0)
                rows.Add(new Row(rowLine, fields.Select(f => f.Trim()).ToArray()));
            fields = [];
        }
    }

    private static char Sniff(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        var header = end < 0 ? text : text[..end];
        return header.Count(ch => ch == ';') > header.Count(ch => ch == ',') ? ';' : ',';
    }
}

/// <summary>A quoted field runs to the end of the text; <see cref="Line"/> is where its row starts.</summary>
public sealed class CsvFormatException(int line) : FormatException($"line {line}: a quoted field is not closed")
{
    public int Line { get; } = line;
}
