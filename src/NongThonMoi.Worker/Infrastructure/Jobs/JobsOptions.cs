using Microsoft.Extensions.Options;

namespace NongThonMoi.Infrastructure.Jobs;

/// <summary>
/// Section <c>Jobs</c>: how long work held by a worker stays reserved, and how long a stopping worker gets. The defaults
/// suit production; tests that kill real worker processes shorten them so that a recovery can be watched in seconds.
/// </summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>A job whose worker vanished (killed, machine lost) is fetched again by another worker after this long.</summary>
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>SIGTERM: running jobs go on this long, then their token is cancelled and they hand their work back.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>SIGTERM: the longest the job server waits for its jobs to end before the process exits anyway.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a delivery claimed by a worker stays reserved to it; renewed before each message is handed over.</summary>
    public TimeSpan DeliveryLease { get; set; } = TimeSpan.FromMinutes(2);
}

internal sealed class JobsOptionsValidator : IValidateOptions<JobsOptions>
{
    public ValidateOptionsResult Validate(string? name, JobsOptions o)
    {
        if (o.InvisibilityTimeout < TimeSpan.FromSeconds(5))
            return ValidateOptionsResult.Fail($"Jobs:InvisibilityTimeout: must be at least 00:00:05 (got {o.InvisibilityTimeout})");
        if (o.DeliveryLease < TimeSpan.FromSeconds(1))
            return ValidateOptionsResult.Fail($"Jobs:DeliveryLease: must be at least 00:00:01 (got {o.DeliveryLease})");
        // A dead worker's job is fetched again at the earliest 4/5 of the invisibility timeout after the worker died
        // (the sliding timeout is refreshed every fifth of it); by then its claimed rows must be free, or the re-run
        // ends with them still reserved and they wait for the next run.
        if (o.DeliveryLease > o.InvisibilityTimeout / 2)
            return ValidateOptionsResult.Fail($"Jobs:DeliveryLease: must be at most half of Jobs:InvisibilityTimeout ({o.InvisibilityTimeout / 2}), got {o.DeliveryLease}");
        if (o.StopTimeout < TimeSpan.Zero || o.StopTimeout > o.ShutdownTimeout)
            return ValidateOptionsResult.Fail($"Jobs:StopTimeout: must be between 00:00:00 and Jobs:ShutdownTimeout ({o.ShutdownTimeout}), got {o.StopTimeout}");
        if (o.ShutdownTimeout <= TimeSpan.Zero || o.ShutdownTimeout > TimeSpan.FromMinutes(5))
            return ValidateOptionsResult.Fail($"Jobs:ShutdownTimeout: must be between 00:00:01 and 00:05:00 (got {o.ShutdownTimeout})");
        return ValidateOptionsResult.Success;
    }
}
