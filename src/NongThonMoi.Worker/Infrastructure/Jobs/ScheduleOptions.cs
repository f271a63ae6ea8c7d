using Cronos;
using Microsoft.Extensions.Options;

namespace NongThonMoi.Infrastructure.Jobs;

/// <summary>Section <c>Schedule</c>: the crons of the recurring jobs, all read in <see cref="TimeZone"/>.</summary>
public sealed class ScheduleOptions
{
    public const string Section = "Schedule";

    public string TimeZone { get; set; } = "Asia/Ho_Chi_Minh";
    public string Recompute { get; set; } = "*/15 * * * *";
    public string Bulletin { get; set; } = "0 7 * * MON";
    public string Reminders { get; set; } = "0 8 * * *";

    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
}

internal sealed class ScheduleOptionsValidator : IValidateOptions<ScheduleOptions>
{
    public ValidateOptionsResult Validate(string? name, ScheduleOptions o)
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _))
            return ValidateOptionsResult.Fail($"Schedule:TimeZone: \"{o.TimeZone}\" is not a known time zone (e.g. Asia/Ho_Chi_Minh)");
        foreach (var (key, cron) in new[] { ("Recompute", o.Recompute), ("Bulletin", o.Bulletin), ("Reminders", o.Reminders) })
        {
            try { CronExpression.Parse(cron); }
            catch (CronFormatException e)
            {
                return ValidateOptionsResult.Fail($"Schedule:{key}: \"{cron}\" is not a cron expression ({e.Message.TrimEnd('.')})");
            }
        }
        return ValidateOptionsResult.Success;
    }
}
