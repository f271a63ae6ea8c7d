using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using NongThonMoi.Programme;

namespace NongThonMoi.Programme;

/// <summary>Section <c>Reporting</c>: who reports, how often, and by when.</summary>
public sealed class ReportingOptions
{
    public const string Section = "Reporting";

    /// <summary><c>district</c> (huyện báo cáo cho các xã, before July 2025) or <c>commune</c> (xã tự báo cáo, two-tier structure).</summary>
    public string UnitLevel { get; set; } = "district";

    public string Cycle { get; set; } = "weekly";

    /// <summary>Weekly <c>DDD HH:mm</c>; monthly and quarterly <c>D HH:mm</c> (day of the period's last month).</summary>
    public string Due { get; set; } = "FRI 17:00";

    public int RemindDaysBefore { get; set; } = 2;

    /// <summary>Days after the deadline when a district can no longer submit for a period; 0: never locked.</summary>
    public int LockAfterDays { get; set; }

    public UnitLevel ReportingLevel => UnitLevel == "commune" ? Programme.UnitLevel.Commune : Programme.UnitLevel.District;

    public ReportingCycle ReportingCycle => Enum.Parse<ReportingCycle>(Cycle, ignoreCase: true);
}

internal sealed partial class ReportingOptionsValidator : IValidateOptions<ReportingOptions>
{
    public ValidateOptionsResult Validate(string? name, ReportingOptions o)
    {
        if (o.UnitLevel is not ("district" or "commune"))
            return ValidateOptionsResult.Fail($"Reporting:UnitLevel: must be district or commune (got \"{o.UnitLevel}\")");
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
                "MON" => DayOfWeek.Monday, "TUE" => DayOfWeek.Tuesday, "WED" => DayOfWeek.Wednesday, "THU" => DayOfWeek.Thursday,
                "FRI" => DayOfWeek.Friday, "SAT" => DayOfWeek.Saturday, "SUN" => DayOfWeek.Sunday, _ => null,
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
