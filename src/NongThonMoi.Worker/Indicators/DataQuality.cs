using System.Globalization;
using NongThonMoi.Programme;

namespace NongThonMoi.Indicators;

/// <summary>
/// Data-quality warnings (cảnh báo chất lượng số liệu) about one commune's row. They never change a figure: the
/// province steers by what communes report, and a committee decides whether the report or the raw values are wrong.
/// </summary>
public sealed class DataQuality(CriteriaSet set, string period)
{
    private static readonly CultureInfo Vi = CultureInfo.GetCultureInfo("vi-VN");
    private readonly ThresholdCheck _thresholds = new(set);

    public void Check(Unit commune, string unit, CommuneReport row, CommuneReport? before, string? beforePeriod, List<DataWarning> warnings)
    {
        if (row.Status != Statuses.NotMet && row.CriteriaMet.Count < set.Count)
            warnings.Add(new DataWarning(unit, commune.Code, "standard-below-all-criteria",
                $"{commune.Name} đã đạt chuẩn nhưng kỳ này chỉ báo cáo {row.CriteriaMet.Count}/{set.Count} tiêu chí"));

        if (row.Indicators is { Count: > 0 } values)
            foreach (var criterion in set.Criteria)
            {
                var reported = row.CriteriaMet.Contains(criterion.Number);
                var (verdict, failed) = _thresholds.Evaluate(criterion.Number, commune, values);
                if (reported && verdict == Verdict.NotMet)
                    warnings.Add(new DataWarning(unit, commune.Code, "indicator-below-threshold",
                        $"{commune.Name} báo cáo đạt tiêu chí {criterion.Number} ({criterion.Name}) nhưng " + string.Join("; ", failed.Select(f =>
                            $"chỉ tiêu {f.Rule.Code} = {Number(f.Value)} chưa đạt ngưỡng {Comparison(f.Rule.Comparison)}{Number(f.Threshold.Value)}{Scope(f.Threshold)}"))));
                else if (!reported && verdict == Verdict.Met)
                    warnings.Add(new DataWarning(unit, commune.Code, "indicator-meets-threshold",
                        $"{commune.Name} báo cáo chưa đạt tiêu chí {criterion.Number} ({criterion.Name}) nhưng mọi chỉ tiêu của tiêu chí đều đạt ngưỡng"));
            }

        if (before is not null && before.CriteriaMet.Count > row.CriteriaMet.Count)
            warnings.Add(new DataWarning(unit, commune.Code, "criteria-fell",
                $"{commune.Name}: số tiêu chí đạt giảm từ {before.CriteriaMet.Count} (kỳ {beforePeriod}) xuống {row.CriteriaMet.Count} (kỳ {period})"
                + $"; không còn đạt: {string.Join(", ", before.CriteriaMet.Except(row.CriteriaMet))}"));
    }

    private static string Number(decimal value) => value.ToString("#,0.##", Vi);

    private static string Comparison(string comparison) => comparison switch { "<=" => "≤ ", "bool" => "", _ => "≥ " };

    private static string Scope(Threshold threshold) => threshold.AppliesTo switch
    {
        "*" => " (chung cả nước)",
        "1" or "2" or "3" => $" (xã nhóm {threshold.AppliesTo})",
        var region => $" (vùng {region})",
    };
}
