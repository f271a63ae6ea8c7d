using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace NongThonMoi.Programme;

/// <summary>Section <c>Reporting</c>: who reports, how often, and by when.</summary>
public sealed class ReportingOptions
{
    public const string Section = "Reporting";

    /// <summary>
    /// <c>district</c> (huyện báo cáo cho các xã, before July 2025), <c>commune</c> (xã tự báo cáo, two-tier structure), or a
    /// change at a date, <c>district,commune@2025-07-01</c>: districts report for periods whose deadline day is before the
    /// date, communes from it on (<see cref="LevelOn"/>).
    /// </summary>
    public string UnitLevel { get; set; } = "district";

    /// <summary>
    /// How a merged unit (đơn vị sau sáp nhập) inherits its predecessors' data until it reports itself: <c>all</c> (a criterion
    /// counts only if every predecessor met it) or <c>retained</c> (the data of the predecessor whose code carries on).
    /// </summary>
    public string MergerRule { get; set; } = "all";

    public string Cycle { get; set; } = "weekly";

    /// <summary>Weekly <c>DDD HH:mm</c>; monthly and quarterly <c>D HH:mm</c> (day of the period's last month).</summary>
    public string Due { get; set; } = "FRI 17:00";

    public int RemindDaysBefore { get; set; } = 2;

    /// <summary>Days after the deadline when a district can no longer submit for a period; 0: never locked.</summary>
    public int LockAfterDays { get; set; }

    /// <summary>
    /// The level after the last change of <see cref="UnitLevel"/> — the single level when no date is given. It goes with
    /// <see cref="ReferenceData.Units"/> (the units after the last change); a caller that knows its period asks <see cref="LevelOn"/>.
    /// </summary>
    public UnitLevel ReportingLevel => LevelSteps(UnitLevel)?[^1].Level ?? Programme.UnitLevel.District;

    /// <summary>The level that submits for a period whose deadline falls on <paramref name="deadlineDay"/>.</summary>
    public UnitLevel LevelOn(DateOnly deadlineDay) =>
        (LevelSteps(UnitLevel) ?? [(null, Programme.UnitLevel.District)]).Last(s => s.From is null || s.From <= deadlineDay).Level;

    /// <summary>
    /// <c>district</c>, <c>commune</c> or <c>first,next@yyyy-MM-dd[,next@yyyy-MM-dd…]</c> as steps (from, level), the first
    /// open; null when the text is not one of those (dates increasing, each step a change of level).
    /// </summary>
    public static List<(DateOnly? From, UnitLevel Level)>? LevelSteps(string? text)
    {
        var parts = (text ?? "").Split(',', StringSplitOptions.TrimEntries);
        var steps = new List<(DateOnly? From, UnitLevel Level)>();
        foreach (var (part, i) in parts.Select((p, i) => (p, i)))
        {
            var at = part.Split('@', StringSplitOptions.TrimEntries);
            if (at.Length != (i == 0 ? 1 : 2)) return null;
            UnitLevel? level = at[0] switch { "district" => Programme.UnitLevel.District, "commune" => Programme.UnitLevel.Commune, _ => null };
            if (level is null) return null;
            DateOnly? from = null;
            if (i > 0)
            {
                if (!DateOnly.TryParseExact(at[1], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return null;
                if (steps[^1].From >= d || steps[^1].Level == level) return null;
                from = d;
            }
            steps.Add((from, level.Value));
        }
        return steps;
    }

    public MergerRule MergerRuleValue => MergerRule == "retained" ? Programme.MergerRule.Retained : Programme.MergerRule.All;

    public ReportingCycle ReportingCycle => Enum.Parse<ReportingCycle>(Cycle, ignoreCase: true);
}

internal sealed partial class ReportingOptionsValidator : IValidateOptions<ReportingOptions>
{
    public ValidateOptionsResult Validate(string? name, ReportingOptions o)
    {
        if (ReportingOptions.LevelSteps(o.UnitLevel) is null)
            return ValidateOptionsResult.Fail(
                $"Reporting:UnitLevel: must be district or commune, or a change at a date like district,commune@2025-07-01 (got \"{o.UnitLevel}\")");
        if (o.MergerRule is not ("all" or "retained"))
            return ValidateOptionsResult.Fail($"Reporting:MergerRule: must be all or retained (got \"{o.MergerRule}\")");
        if (o.Cycle is not ("weekly" or "monthly" or "quarterly"))
            return ValidateOptionsResult.Fail($"Reporting:Cycle: must be weekly, monthly or quarterly (got \"{o.Cycle}\")");
        if (!DueTime.TryParse(o.Due, o.ReportingCycle, out _))
            return ValidateOptionsResult.Fail(o.ReportingCycle == ReportingCycle.Weekly
                ? $"Reporting:Due: must be like FRI 17:00 for a weekly cycle (got \"{o.Due}\")"
                : $"Reporting:Due: must be like 25 17:00 (day of the period's last month) for a {o.Cycle} cycle (got \"{o.Due}\")");
        if (o.RemindDaysBefore is < 0 or > 60)
            return ValidateOptionsResult.Fail($"Reporting:RemindDaysBefore: must be between 0 and 60 (got {o.RemindDaysBefore})");
        if (o.LockAfterDays is < 0 or > 366)
            return ValidateOptionsResult.Fail($"Reporting:LockAfterDays: must be between 0 (never) and 366 (got {o.LockAfterDays})");
        return ValidateOptionsResult.Success;
    }
}

/// <summary>How a merged unit inherits its predecessors' data until it reports itself (Reporting:MergerRule).</summary>
public enum MergerRule { All, Retained }

/// <summary>The deadline inside a period: a weekday (weekly) or a day of the last month, and a time of day.</summary>
public sealed partial record DueTime(DayOfWeek? Weekday, int? Day, TimeOnly Time)
{
    public static bool TryParse(string text, ReportingCycle cycle, out DueTime due)
    {
        due = null!;
        var m = Pattern().Match(text.Trim());
        if (!m.Success || !TimeOnly.TryParseExact(m.Groups["t"].Value, ["H:mm", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            return false;
        var day = m.Groups["d"].Value.ToUpperInvariant();
        if (cycle == ReportingCycle.Weekly)
        {
            DayOfWeek? weekday = day switch
            {
                "MON" => DayOfWeek.Monday,
                "TUE" => DayOfWeek.Tuesday,
                "WED" => DayOfWeek.Wednesday,
                "THU" => DayOfWeek.Thursday,
                "FRI" => DayOfWeek.Friday,
                "SAT" => DayOfWeek.Saturday,
                "SUN" => DayOfWeek.Sunday,
                _ => null,
            };
            if (weekday is null) return false;
            due = new DueTime(weekday, null, time);
            return true;
        }
        if (!int.TryParse(day, out var d) || d is < 1 or > 31) return false;
        due = new DueTime(null, d, time);
        return true;
    }

    [GeneratedRegex(@"^(?<d>[A-Za-z]{3}|\d{1,2})\s+(?<t>\d{1,2}:\d{2})$")]
    private static partial Regex Pattern();
}
