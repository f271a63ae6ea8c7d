namespace NongThonMoi.Bench;

/// <summary>One commune's row for one period, as a district would report it (sample data: invented, deterministic).</summary>
public readonly record struct CommuneRow(string Code, string Status, int? RecognizedYear, short[] CriteriaMet);

/// <summary>
/// Deterministic made-up progress: each commune starts somewhere between 20% and 90% of the criteria and gains
/// over the years; one that meets all of them is standard, some are advanced. Cheap enough for 2 million rows.
/// </summary>
public static class CommuneProgress
{
    private static readonly short[][] Prefixes19 = Cuts(19);
    private static readonly short[][] Prefixes10 = Cuts(10);

    private static short[][] Cuts(int n) => Enumerable.Range(0, n + 1).Select(k => Enumerable.Range(1, k).Select(i => (short)i).ToArray()).ToArray();

    /// <param name="commune">the commune's number (its code as an int)</param>
    /// <param name="t">time in weeks since the start of the history</param>
    /// <param name="year">the period's year</param>
    /// <param name="variant">
    /// varies the row without breaking a rule (ingest rounds send different bodies; the body's data value differs anyway): an
    /// odd variant lowers one commune in 40 by a criterion — a correction, and a "criteria fell" warning in the week's snapshot.
    /// Until 2 December it lowered every commune, so the current week, whose last round is odd, carried 4,540 warnings (half of
    /// its snapshot's payload, and most of the rows the recompute must check one by one): no real week looks like that.
    /// </param>
    public static CommuneRow Row(string code, int commune, int t, int year, int variant = 0)
    {
        var n = year >= 2026 ? 10 : 19;
        var h = Hash(commune);
        var start = 0.2 + (h % 700) / 1000.0;                  // 0.2 .. 0.9
        var gain = t / 260.0 * 0.4 + ((h >> 10) % 5) / 100.0;  // up to ~0.45 over five years
        var met = Math.Clamp((int)Math.Round((start + gain) * n) - (variant % 2 == 1 && (h >> 8) % 40 == 0 ? 1 : 0), 0, n);
        string status;
        int? recognized = null;
        if (met < n) status = "chua-dat";
        else
        {
            recognized = Math.Min(year, 2016 + (int)((h >> 14) % 10));
            status = n == 19
                ? ((h >> 20) % 40 == 0 ? "kieu-mau" : (h >> 20) % 8 == 0 ? "nang-cao" : "dat-chuan")
                : ((h >> 20) % 25 == 0 ? "hien-dai" : "dat-chuan");
        }
        return new CommuneRow(code, status, recognized, (n == 19 ? Prefixes19 : Prefixes10)[met]);
    }

    private static uint Hash(int x)
    {
        var h = (uint)x * 2654435761u;
        h ^= h >> 15;
        h *= 2246822519u;
        return h ^ (h >> 13);
    }
}
