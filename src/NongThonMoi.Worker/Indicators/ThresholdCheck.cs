using System.Globalization;
using System.Text.Json;
using NongThonMoi.Programme;

namespace NongThonMoi.Indicators;

/// <summary>A threshold of an indicator (ngưỡng chỉ tiêu) for a region, a commune group, or everyone (<c>*</c>).</summary>
public sealed record Threshold(string AppliesTo, decimal Value);

/// <summary>An indicator (chỉ tiêu) of a criterion that decides whether the commune meets the standard.</summary>
public sealed record IndicatorRule(string Code, int Criterion, string Comparison, IReadOnlyList<Threshold> Thresholds);

/// <summary>What raw indicator values say about one criterion of one commune.</summary>
public enum Verdict { Unknown, Met, NotMet }

/// <summary>
/// Re-evaluates criteria from raw indicator values against the thresholds of the commune's region (or group, in
/// 2026–2030), as <c>config/criteria/README.md</c> describes: the commune's own entry, else <c>*</c>, else unchecked.
/// Pure, so the calculator can run it for every commune without I/O.
/// </summary>
public sealed class ThresholdCheck
{
    private readonly ILookup<int, IndicatorRule> _rulesByCriterion;
    private readonly bool _byGroup;

    public ThresholdCheck(CriteriaSet set)
    {
        using var doc = JsonDocument.Parse(set.Definition);
        var root = doc.RootElement;
        _byGroup = root.TryGetProperty("threshold_basis", out var basis) && basis.GetString() == "commune_group";
        var rules = new List<IndicatorRule>();
        if (root.TryGetProperty("criteria", out var criteria))
            foreach (var criterion in criteria.EnumerateArray())
            {
                if (!criterion.TryGetProperty("indicators", out var indicators)) continue;
                var number = criterion.GetProperty("number").GetInt32();
                foreach (var indicator in indicators.EnumerateArray())
                {
                    // Nâng cao indicators belong to the advanced level; criteria_met is about the standard.
                    if (indicator.TryGetProperty("level", out var level) && level.GetString() != Statuses.Standard) continue;
                    var thresholds = indicator.TryGetProperty("thresholds", out var t)
                        ? t.EnumerateArray().Select(x => new Threshold(x.GetProperty("applies_to").GetString()!, x.GetProperty("value").GetDecimal())).ToList()
                        : [];
                    rules.Add(new IndicatorRule(indicator.GetProperty("code").GetString()!, number,
                        indicator.TryGetProperty("comparison", out var c) ? c.GetString() ?? ">=" : ">=", thresholds));
                }
            }
        _rulesByCriterion = rules.ToLookup(r => r.Criterion);
    }

    /// <summary>The threshold that applies to <paramref name="commune"/>, or null when none does.</summary>
    public Threshold? ThresholdFor(IndicatorRule rule, Unit commune)
    {
        var own = _byGroup ? commune.CommuneGroup?.ToString(CultureInfo.InvariantCulture) : commune.Region;
        return rule.Thresholds.FirstOrDefault(t => own is not null && t.AppliesTo == own) ?? rule.Thresholds.FirstOrDefault(t => t.AppliesTo == "*");
    }

    public static bool Meets(decimal value, string comparison, decimal threshold) => comparison switch
    {
        "<=" => value <= threshold,
        "bool" => value >= 1,
        _ => value >= threshold,
    };

    /// <summary>
    /// <see cref="Verdict.NotMet"/> when a reported value misses its threshold (those indicators are returned);
    /// <see cref="Verdict.Met"/> only when every indicator of the criterion has a threshold, a value, and meets it;
    /// otherwise <see cref="Verdict.Unknown"/>, since an unreported or unthresholded indicator could still fail.
    /// </summary>
    public (Verdict Verdict, IReadOnlyList<(IndicatorRule Rule, decimal Value, Threshold Threshold)> Failed) Evaluate(
        int criterion, Unit commune, IReadOnlyDictionary<string, decimal> values)
    {
        var rules = _rulesByCriterion[criterion].ToList();
        if (rules.Count == 0) return (Verdict.Unknown, []);
        var failed = new List<(IndicatorRule, decimal, Threshold)>();
        var allKnown = true;
        foreach (var rule in rules)
        {
            var threshold = ThresholdFor(rule, commune);
            if (threshold is null || !values.TryGetValue(rule.Code, out var value)) { allKnown = false; continue; }
            if (!Meets(value, rule.Comparison, threshold.Value)) failed.Add((rule, value, threshold));
        }
        if (failed.Count > 0) return (Verdict.NotMet, failed);
        return (allKnown ? Verdict.Met : Verdict.Unknown, []);
    }
}
