namespace NongThonMoi.Tests.Support;

/// <summary>Local times in Hà Nội (UTC+7, no daylight saving), as the UTC instant a TimeProvider gives (Npgsql writes only UTC offsets).</summary>
public static class HaNoi
{
    public static DateTimeOffset At(int year, int month, int day, int hour, int minute = 0) =>
        new DateTimeOffset(year, month, day, hour, minute, 0, TimeSpan.FromHours(7)).ToUniversalTime();
}
