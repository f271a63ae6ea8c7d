using System.Text.Json;
using NongThonMoi.Infrastructure;
using NongThonMoi.Programme;

namespace NongThonMoi.Composition.Demo;

/// <summary>
/// Made-up submissions for the sample province (dữ liệu mẫu): the unit names and codes are real, the
/// statuses and criteria are not. Deterministic per commune code, so a second demo run sends the same
/// bodies and the archive recognises them as repeats.
/// </summary>
public static class DemoData
{
    public static byte[] Body(Unit unit, IReadOnlyList<Unit> communes, ReportingPeriod period, CriteriaSet set, IReadOnlyList<DataElement> elements)
    {
        var rows = communes.Select(c => Commune(c, period, set)).ToList();
        var random = new Random(Seed(unit.Code) ^ period.Year);
        var data = elements.ToDictionary(e => e.Code, e => (decimal)random.Next(0, e.Code.Contains('5') ? 2 : 6));
        return JsonSerializer.SerializeToUtf8Bytes(new { unit = unit.Code, period = period.Id, communes = rows, data }, JsonDefaults.Options);
    }

    private static object Commune(Unit commune, ReportingPeriod period, CriteriaSet set)
    {
        var random = new Random(Seed(commune.Code) * 31 + set.Count);
        var roll = random.NextDouble();
        var hasAdvanced = set.Statuses.Contains(Statuses.Advanced);
        // Roughly a third standard under the 19-criteria sets; fewer under the stricter 2026–2030 set.
        var standardShare = set.Count >= 19 ? 0.38 : 0.22;
        string status;
        if (roll < standardShare)
        {
            status = hasAdvanced && roll < 0.03 ? Statuses.Advanced : hasAdvanced && roll < 0.035 ? Statuses.Model : Statuses.Standard;
        }
        else status = Statuses.NotMet;

        List<int> met;
        int? recognized = null;
        if (status == Statuses.NotMet)
        {
            var count = random.Next(Math.Max(1, set.Count / 4), set.Count);
            met = Enumerable.Range(1, set.Count).OrderBy(_ => random.Next()).Take(count).Order().ToList();
        }
        else
        {
            met = Enumerable.Range(1, set.Count).ToList();
            // About one standard commune in six was recognised in the period's own year.
            recognized = random.NextDouble() < 0.17 ? period.Year : random.Next(Math.Max(2012, period.Year - 10), period.Year);
        }
        return new { code = commune.Code, status, recognized_year = recognized, criteria_met = met };
    }

    /// <summary>A stable number from a code (string.GetHashCode changes from one process to the next).</summary>
    private static int Seed(string code) => code.Aggregate(17, (h, ch) => unchecked(h * 31 + ch));
}
