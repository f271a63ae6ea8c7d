using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;

namespace NongThonMoi.Tests.Support;

/// <summary>The totals Lạng Sơn published for the end of 2019 (conference of 12/02/2020; DOMAIN.md).</summary>
public sealed record PublishedTotals(int Standard, int NewThisYear, int Advanced, decimal AvgCriteria, decimal AvgCriteriaPrevYear)
{
    public static readonly PublishedTotals LangSon2019 = new(Standard: 61, NewThisYear: 13, Advanced: 2, AvgCriteria: 11.54m, AvgCriteriaPrevYear: 10.04m);
}

/// <summary>One commune of the constructed data set, at the end of 2018 and at the end of 2019.</summary>
public sealed record ConstructedCommune(
    string Code, string District,
    string Status2018, int? RecognizedYear2018, int[] Met2018,
    string Status2019, int? RecognizedYear2019, int[] Met2019);

/// <summary>
/// A <b>constructed</b> data set over the real rural communes of Lạng Sơn (not real per-commune data): statuses and
/// criteria chosen deterministically so that the province totals are the published ones. Standard communes are spread
/// evenly over the list and meet all 19 criteria; the other communes' counts come from a seeded generator and are then
/// nudged one at a time until the province total gives the published average. No commune loses a criterion between
/// 2018 and 2019, and each commune meets a prefix of its own rotation of 1..19, so 2018's criteria are a subset of 2019's.
/// </summary>
public sealed class LangSon2019DataSet
{
    private const int Criteria = 19;

    private LangSon2019DataSet(IReadOnlyList<ConstructedCommune> communes) => Communes = communes;

    public IReadOnlyList<ConstructedCommune> Communes { get; }

    public IReadOnlyList<string> Districts => Communes.Select(c => c.District).Distinct().ToList();

    public static LangSon2019DataSet Build(IReadOnlyList<GsoUnit> communes, PublishedTotals totals)
    {
        var n = communes.Count;
        var standard = Spread(n, totals.Standard).ToList();
        var newPositions = Spread(standard.Count, totals.NewThisYear).ToHashSet();
        var recognisedList = standard.Where((_, j) => newPositions.Contains(j)).ToList();
        var recognisedIn2019 = recognisedList.ToHashSet();
        var earlier = standard.Where(i => !recognisedIn2019.Contains(i)).ToList();
        // Recognised 2012–2018; the two earliest become nâng cao in 2019.
        var earlierYear = earlier.Select((i, j) => (i, year: 2012 + j % 7)).ToDictionary(x => x.i, x => x.year);
        var advanced = earlier.Take(totals.Advanced).ToHashSet();
        var others = Enumerable.Range(0, n).Where(i => !standard.Contains(i)).ToList();

        var count2019 = new int[n];
        var count2018 = new int[n];
        foreach (var i in standard) count2019[i] = Criteria;
        foreach (var i in earlier) count2018[i] = Criteria;
        foreach (var (i, j) in recognisedList.Select((i, j) => (i, j))) count2018[i] = 14 + j % 5;

        var random = new Random(20191231);
        foreach (var i in others) count2019[i] = random.Next(3, 17);
        Adjust(count2019, others, TotalOf(totals.AvgCriteria, n), _ => 0, _ => Criteria - 1);
        foreach (var i in others) count2018[i] = Math.Max(0, count2019[i] - random.Next(0, 4));
        Adjust(count2018, others, TotalOf(totals.AvgCriteriaPrevYear, n), _ => 0, i => count2019[i]);

        return new LangSon2019DataSet(communes.Select((c, i) =>
        {
            var isStandard = standard.Contains(i);
            var isNew = recognisedIn2019.Contains(i);
            int? year = isNew ? 2019 : isStandard ? earlierYear[i] : null;
            return new ConstructedCommune(c.Code, c.Parent,
                isStandard && !isNew ? "dat-chuan" : "chua-dat", isNew ? null : year, Met(i, count2018[i]),
                advanced.Contains(i) ? "nang-cao" : isStandard ? "dat-chuan" : "chua-dat", year, Met(i, count2019[i]));
        }).ToList());
    }

    /// <summary>A district's submission body (CONTRACT section 5) for the end of <paramref name="year"/>.</summary>
    public object Body(string district, int year, string period) => new
    {
        unit = district,
        period,
        communes = Communes.Where(c => c.District == district).Select(c => year == 2018
            ? new { code = c.Code, status = c.Status2018, recognized_year = c.RecognizedYear2018, criteria_met = c.Met2018 }
            : new { code = c.Code, status = c.Status2019, recognized_year = c.RecognizedYear2019, criteria_met = c.Met2019 }).ToArray(),
    };

    /// <summary>Every district's report for 2018-W52 and 2019-W52 through the API, a minute apart, each accepted.</summary>
    public async Task SubmitEndsOf2018And2019Async(HttpClient admin, FakeTimeProvider clock)
    {
        foreach (var (year, period) in new[] { (2018, "2018-W52"), (2019, "2019-W52") })
            foreach (var district in Districts)
            {
                clock.Advance(TimeSpan.FromMinutes(1));
                var response = await admin.PostAsJsonAsync("/api/submissions", Body(district, year, period));
                Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            }
    }

    /// <summary>The smallest whole number of criteria over <paramref name="n"/> communes whose mean rounds to <paramref name="average"/>.</summary>
    private static int TotalOf(decimal average, int n)
    {
        var total = (int)Math.Round(average * n, MidpointRounding.AwayFromZero);
        if (Math.Round((decimal)total / n, 2, MidpointRounding.AwayFromZero) != average)
            throw new InvalidOperationException($"no whole total over {n} communes averages {average}");
        return total;
    }

    /// <summary><paramref name="k"/> of 0..n-1, evenly spaced, so every district gets its share.</summary>
    private static IEnumerable<int> Spread(int n, int k) => Enumerable.Range(0, n).Where(i => (i + 1) * k / n > i * k / n);

    /// <summary>Moves the values at <paramref name="positions"/> one step at a time, round-robin, until they sum to the target.</summary>
    private static void Adjust(int[] values, IReadOnlyList<int> positions, int target, Func<int, int> min, Func<int, int> max)
    {
        var diff = target - values.Sum();
        for (int p = 0, stuck = 0; diff != 0; p = (p + 1) % positions.Count)
        {
            var i = positions[p];
            var next = values[i] + Math.Sign(diff);
            if (next < min(i) || next > max(i))
            {
                if (++stuck > positions.Count) throw new InvalidOperationException($"cannot reach a total of {target}");
                continue;
            }
            values[i] = next;
            diff -= Math.Sign(diff);
            stuck = 0;
        }
    }

    /// <summary>The first <paramref name="count"/> criteria of commune <paramref name="i"/>'s own rotation of 1..19.</summary>
    private static int[] Met(int i, int count) => Enumerable.Range(0, count).Select(t => (i + t) % Criteria + 1).Order().ToArray();
}
