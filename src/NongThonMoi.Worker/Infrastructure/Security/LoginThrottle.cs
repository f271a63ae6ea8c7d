using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace NongThonMoi.Infrastructure.Security;

/// <summary>
/// Failed sign-ins (a wrong admin password, an unknown or revoked access code), counted twice in fixed one-minute windows:
/// per name and address (the admin user or one code, from one address) up to <see cref="FailuresPerWindow"/>, and per
/// address whatever the name up to <see cref="AddressFailuresPerWindow"/>. Many districts share one office network's
/// address, so one clerk's typos block only that clerk's name there, not the other districts nor the admin; a flood of
/// guesses from one address blocks the address. A blocked sign-in is answered 429 with <c>Retry-After</c> without its
/// credentials being checked, so a wrong admin password no longer buys a PBKDF2 computation. Successes consume nothing.
/// The name is counted per address, not globally, so nobody elsewhere can lock the admin out by failing on purpose.
/// </summary>
public sealed class LoginThrottle(TimeProvider clock)
{
    public const int FailuresPerWindow = 10;

    /// <summary>A province office may hold a dozen districts' clerks; a hundred failures a minute is no longer typing.</summary>
    public const int AddressFailuresPerWindow = 100;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>Past this many counters the expired ones are swept, so a scan of many addresses cannot grow memory unbounded.</summary>
    private const int SweepAbove = 10_000;

    private sealed record Count(DateTimeOffset Start, int Failures);

    private readonly ConcurrentDictionary<string, Count> counts = new(StringComparer.Ordinal);

    internal const string ThrottledItem = "ntm:login-throttled";

    /// <summary>The address the connection comes from; behind a reverse proxy named in <c>Web:TrustedProxies</c>, the client's from X-Forwarded-For.</summary>
    public static string ClientOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>The admin's (or any) user name as a throttle name.</summary>
    public static string User(string user) => "user:" + user;

    /// <summary>An access code as a throttle name: a hash prefix, so no code, right or wrong, is kept in memory.</summary>
    public static string Code(string code) => "code:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(code)), 0, 8);

    public bool IsBlocked(HttpContext context, string name)
    {
        var address = ClientOf(context);
        return Failures(AddressKey(address)) >= AddressFailuresPerWindow || Failures(NameKey(address, name)) >= FailuresPerWindow;
    }

    public void RecordFailure(HttpContext context, string name)
    {
        var address = ClientOf(context);
        Add(AddressKey(address));
        Add(NameKey(address, name));
        if (counts.Count > SweepAbove) Sweep();
    }

    private static string AddressKey(string address) => "addr\n" + address;

    private static string NameKey(string address, string name) => name + "\n" + address;

    private int Failures(string key) => counts.TryGetValue(key, out var c) && !Expired(c, clock.GetUtcNow()) ? c.Failures : 0;

    private void Add(string key)
    {
        var now = clock.GetUtcNow();
        counts.AddOrUpdate(key, _ => new Count(now, 1), (_, c) => Expired(c, now) ? new Count(now, 1) : c with { Failures = c.Failures + 1 });
    }

    private static bool Expired(Count c, DateTimeOffset now) => now >= c.Start + Window;

    private void Sweep()
    {
        var now = clock.GetUtcNow();
        foreach (var (key, c) in counts)
            if (Expired(c, now)) counts.TryRemove(new KeyValuePair<string, Count>(key, c));
    }

    /// <summary>Marks the request so the challenge answers 429 instead of 401.</summary>
    internal static void MarkThrottled(HttpContext context) => context.Items[ThrottledItem] = true;

    internal static async Task<bool> ChallengeIfThrottledAsync(HttpContext context)
    {
        if (!context.Items.ContainsKey(ThrottledItem)) return false;
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = ((int)Window.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        await Results.Problem(statusCode: 429, title: "Too many failed logins", detail: Message).ExecuteAsync(context);
        return true;
    }

    /// <summary>What a throttled person reads, on the API's problem response and on the portal's sign-in page.</summary>
    public static string Message => $"Đăng nhập sai quá nhiều lần; thử lại sau {(int)Window.TotalSeconds} giây.";
}
