using System.Globalization;
using NongThonMoi.Submissions;

namespace NongThonMoi.Portal;

/// <summary>
/// The errors of a refused file in the order of the file's rows, as a person fixes them top to bottom: first what is
/// wrong with the file as a whole (header, unit, period), then row by row, then the communes the file left out.
/// </summary>
public static class ErrorOrder
{
    public sealed record Located(int? Row, SubmissionError Error);

    public static IReadOnlyList<Located> Locate(IReadOnlyList<SubmissionError> errors, byte[] body, SubmissionFormat format, PortalUnit at)
    {
        var rows = RowsOf(body, format, at);
        return errors
            .Select(e => new Located(RowOf(e, rows), e))
            .OrderBy(l => l.Error.Field == "communes" ? 2 : l.Row is null ? 0 : 1)
            .ThenBy(l => l.Row ?? 0)
            .ToList();
    }

    private static int? RowOf(SubmissionError e, IReadOnlyDictionary<string, int> rows)
    {
        if (e.Commune is null) return null;
        if (rows.TryGetValue(e.Commune, out var row)) return row;
        // A row without a commune code is named by its line: "dòng 12".
        return e.Commune.StartsWith("dòng ", StringComparison.Ordinal)
               && int.TryParse(e.Commune[5..], NumberStyles.None, CultureInfo.InvariantCulture, out var line) ? line : null;
    }

    /// <summary>The same reader the service used, run again for the row of each commune (the errors name communes, not rows).</summary>
    private static Dictionary<string, int> RowsOf(byte[] body, SubmissionFormat format, PortalUnit at)
    {
        try
        {
            var report = format switch
            {
                SubmissionFormat.Xlsx => XlsxSubmissionReader.Read(body, at.Unit.Code, at.Period.Id),
                SubmissionFormat.Xls => XlsSubmissionReader.Read(body, at.Unit.Code, at.Period.Id),
                _ => CsvSubmissionReader.Read(body, at.Unit.Code, at.Period.Id),
            };
            var rows = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var c in report.Communes.Where(c => c.Code.Length > 0)) rows.TryAdd(c.Code, c.Row);
            return rows;
        }
        catch (UnreadableSubmissionException)
        {
            return [];
        }
    }
}
