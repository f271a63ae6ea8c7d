using System.Globalization;
using NongThonMoi.Infrastructure;

namespace NongThonMoi.Programme;

/// <summary><c>holidays.csv</c>: <c>date,name</c>, dates as YYYY-MM-DD. Optional.</summary>
public static class HolidaysFile
{
    public static IReadOnlySet<DateOnly> Load(string path)
    {
        if (!File.Exists(path)) return new HashSet<DateOnly>();
        var rows = Csv.Read(File.ReadAllText(path), ',');
        var days = new HashSet<DateOnly>();
        foreach (var row in rows.Skip(rows.Count > 0 && rows[0].Fields[0].Equals("date", StringComparison.OrdinalIgnoreCase) ? 1 : 0))
        {
            if (!DateOnly.TryParseExact(row.Fields[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                throw new ReferenceException("holidays.csv", row.Line, $"\"{row.Fields[0]}\" is not a date (YYYY-MM-DD)");
            days.Add(d);
        }
        return days;
    }
}
