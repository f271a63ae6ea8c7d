using System.Threading.RateLimiting;

namespace NongThonMoi.Infrastructure.Security;

/// <summary>
/// Failed logins (a wrong admin password, an unknown or revoked token) per client address: after
/// <see cref="FailuresPerWindow"/> in <see cref="Window"/> the client is answered 429 with <c>Retry-After</c>, without its
/// credentials being checked, until the window ends. Guessing a password or a token then costs hours per thousand tries,
/// and each wrong admin password no longer buys a PBKDF2 computation. Successful logins consume nothing.
/// </summary>
public sealed class LoginThrottle : IDisposable
{
    public const int FailuresPerWindow = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(client =>
        RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = FailuresPerWindow, Window = Window, QueueLimit = 0, AutoReplenishment = true,
        }));

    internal const string ThrottledItem = "ntm:login-throttled";

    /// <summary>The address the connection comes from; behind a reverse proxy named in <c>Web:TrustedProxies</c>, the client's from X-Forwarded-For.</summary>
    public static string ClientOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    public bool IsBlocked(HttpContext context) => limiter.GetStatistics(ClientOf(context))?.CurrentAvailablePermits == 0;

    public void RecordFailure(HttpContext context)
    {
        using var _ = limiter.AttemptAcquire(ClientOf(context));
    }

    /// <summary>Marks the request so the challenge answers 429 instead of 401.</summary>
    internal static void MarkThrottled(HttpContext context) => context.Items[ThrottledItem] = true;

    internal static async Task<bool> ChallengeIfThrottledAsync(HttpContext context)
    {
        if (!context.Items.ContainsKey(ThrottledItem)) return false;
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = ((int)Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Results.Problem(statusCode: 429, title: "Too many failed logins",
            detail: $"Đăng nhập sai quá {FailuresPerWindow} lần; thử lại sau {(int)Window.TotalSeconds} giây.").ExecuteAsync(context);
        return true;
    }

    public void Dispose() => limiter.Dispose();
}
