using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Infrastructure.Security;

namespace NongThonMoi.Tests.Security;

/// <summary>CONTRACT §7: failed sign-ins are throttled per address and per code or user, on the injected clock.</summary>
public sealed class LoginThrottleTests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 12, 2, 3, 0, 0, TimeSpan.Zero));

    private static HttpContext From(string address) =>
        new DefaultHttpContext { Connection = { RemoteIpAddress = IPAddress.Parse(address) } };

    [Fact]
    public void A_name_is_blocked_after_ten_failures_until_the_window_ends()
    {
        var clock = new FakeTimeProvider(Clock.GetUtcNow());
        var throttle = new LoginThrottle(clock);
        var office = From("203.0.113.7");
        var admin = LoginThrottle.User("admin");
        for (var i = 0; i < LoginThrottle.FailuresPerWindow; i++)
        {
            Assert.False(throttle.IsBlocked(office, admin));
            throttle.RecordFailure(office, admin);
        }
        Assert.True(throttle.IsBlocked(office, admin));

        // The contract's one minute, by hand: read back from LoginThrottle.Window, a wrong window would pass unseen.
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.True(throttle.IsBlocked(office, admin));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(throttle.IsBlocked(office, admin));
        // What the person is told agrees with it (Retry-After and the message use the same window).
        Assert.Equal("Đăng nhập sai quá nhiều lần; thử lại sau 60 giây.", LoginThrottle.Message);
    }

    [Fact]
    public void One_clerks_typos_lock_out_neither_the_other_districts_nor_the_admin_at_the_same_address()
    {
        var throttle = new LoginThrottle(new FakeTimeProvider(Clock.GetUtcNow()));
        var office = From("203.0.113.7");
        var typo = LoginThrottle.Code("ntm_sai");
        for (var i = 0; i < LoginThrottle.FailuresPerWindow; i++) throttle.RecordFailure(office, typo);

        Assert.True(throttle.IsBlocked(office, typo));
        Assert.False(throttle.IsBlocked(office, LoginThrottle.Code("ntm_dung")));
        Assert.False(throttle.IsBlocked(office, LoginThrottle.User("admin")));
        // The same name from elsewhere is counted on its own: nobody can lock the admin out from afar.
        Assert.False(throttle.IsBlocked(From("198.51.100.20"), typo));
    }

    [Fact]
    public void A_flood_of_different_codes_from_one_address_blocks_the_address()
    {
        var throttle = new LoginThrottle(new FakeTimeProvider(Clock.GetUtcNow()));
        var scanner = From("192.0.2.66");
        for (var i = 0; i < LoginThrottle.AddressFailuresPerWindow; i++) throttle.RecordFailure(scanner, LoginThrottle.Code($"ntm_{i}"));

        Assert.True(throttle.IsBlocked(scanner, LoginThrottle.Code("ntm_moi")));
        Assert.True(throttle.IsBlocked(scanner, LoginThrottle.User("admin")));
        Assert.False(throttle.IsBlocked(From("192.0.2.67"), LoginThrottle.Code("ntm_moi")));
    }

    [Fact]
    public void A_code_is_not_kept_in_the_throttle_in_clear()
    {
        Assert.DoesNotContain("ntm_bi-mat", LoginThrottle.Code("ntm_bi-mat"), StringComparison.Ordinal);
        Assert.NotEqual(LoginThrottle.Code("ntm_a"), LoginThrottle.Code("ntm_b"));
    }
}
