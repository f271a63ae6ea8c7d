using NongThonMoi.Programme;

namespace NongThonMoi.Tests.Programme;

/// <summary>
/// Issue 17: <c>Reporting:UnitLevel</c> may change at a date (CONTRACT §2, §8) — districts report for periods whose deadline
/// day is before it, communes from it on — and <c>Reporting:MergerRule</c> is <c>all</c> or <c>retained</c>.
/// </summary>
public class ReportingLevelTests
{
    private static readonly ReportingOptionsValidator Validator = new();

    [Fact]
    public void The_level_switches_on_2025_07_01()
    {
        var options = new ReportingOptions { UnitLevel = "district,commune@2025-07-01" };

        Assert.Equal(UnitLevel.District, options.LevelOn(new DateOnly(2019, 12, 31)));
        Assert.Equal(UnitLevel.District, options.LevelOn(new DateOnly(2025, 6, 30)));
        Assert.Equal(UnitLevel.Commune, options.LevelOn(new DateOnly(2025, 7, 1)));
        Assert.Equal(UnitLevel.Commune, options.LevelOn(new DateOnly(2026, 12, 4)));
        // Callers that know no period get the level after the last change, as they get the units after it.
        Assert.Equal(UnitLevel.Commune, options.ReportingLevel);
        Assert.True(Validator.Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("district", UnitLevel.District)]
    [InlineData("commune", UnitLevel.Commune)]
    public void A_single_level_holds_on_every_day(string text, UnitLevel level)
    {
        var options = new ReportingOptions { UnitLevel = text };
        Assert.Equal(level, options.ReportingLevel);
        Assert.Equal(level, options.LevelOn(new DateOnly(2000, 1, 1)));
        Assert.Equal(level, options.LevelOn(new DateOnly(2030, 1, 1)));
    }

    [Fact]
    public void Several_changes_are_taken_in_order()
    {
        var options = new ReportingOptions { UnitLevel = "commune, district@2020-01-01, commune@2025-07-01" };
        Assert.Equal(UnitLevel.Commune, options.LevelOn(new DateOnly(2019, 12, 31)));
        Assert.Equal(UnitLevel.District, options.LevelOn(new DateOnly(2020, 1, 1)));
        Assert.Equal(UnitLevel.Commune, options.LevelOn(new DateOnly(2025, 7, 1)));
    }

    [Theory]
    [InlineData("province")]
    [InlineData("")]
    [InlineData("district,commune")]
    [InlineData("district,commune@2025-7-1")]
    [InlineData("district,commune@01/07/2025")]
    [InlineData("district,district@2025-07-01")]
    [InlineData("commune@2025-07-01")]
    [InlineData("district,commune@2025-07-01,district@2025-01-01")]
    [InlineData("District")]
    public void A_wrong_level_is_one_line_naming_the_key(string text)
    {
        Assert.Null(ReportingOptions.LevelSteps(text));
        var result = Validator.Validate(null, new ReportingOptions { UnitLevel = text });
        Assert.True(result.Failed);
        Assert.Equal($"Reporting:UnitLevel: must be district or commune, or a change at a date like district,commune@2025-07-01 (got \"{text}\")", result.FailureMessage);
    }

    [Fact]
    public void The_merger_rule_is_all_or_retained()
    {
        Assert.Equal(MergerRule.All, new ReportingOptions().MergerRuleValue);
        Assert.Equal(MergerRule.Retained, new ReportingOptions { MergerRule = "retained" }.MergerRuleValue);
        var result = Validator.Validate(null, new ReportingOptions { MergerRule = "newest" });
        Assert.Equal("Reporting:MergerRule: must be all or retained (got \"newest\")", result.FailureMessage);
    }
}
