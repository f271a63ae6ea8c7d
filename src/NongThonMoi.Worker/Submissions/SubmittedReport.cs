namespace NongThonMoi.Submissions;

/// <summary>One commune's row of a submission, as read from JSON, CSV or Excel, before the rules are checked.</summary>
public sealed record SubmittedCommune(
    int Row,
    string Code,
    string Status,
    int? RecognizedYear,
    IReadOnlyList<int> CriteriaMet,
    IReadOnlyDictionary<string, decimal> Indicators);

/// <summary>A district's (or, in the two-tier structure, a commune's) report for one period (báo cáo kỳ).</summary>
public sealed record SubmittedReport(
    string Unit,
    string Period,
    IReadOnlyList<SubmittedCommune> Communes,
    IReadOnlyDictionary<string, decimal> Data)
{
    /// <summary>
    /// Cells of a CSV/Excel file that could not be understood (an empty <c>tc05</c>, a year "hai nghìn"):
    /// reported together with the rule errors, so that a district fixes the whole sheet in one go.
    /// </summary>
    public IReadOnlyList<SubmissionError> ReadErrors { get; init; } = [];

    /// <summary>The criterion numbers of a file's <c>tcNN</c> columns, checked against the set in force; null for JSON.</summary>
    public IReadOnlyList<int>? CriteriaColumns { get; init; }
}

/// <summary>A rule that a submission breaks, named by commune (or row) and field, in words district staff use.</summary>
public sealed record SubmissionError(string? Commune, string Field, string Message);

/// <summary>The body cannot be read at all (malformed or wrong types): 400, with the place.</summary>
public sealed class UnreadableSubmissionException(string place, string message) : Exception($"{place}: {message}")
{
    public string Place { get; } = place;
}

public enum SubmissionFormat { Json, Csv, Xlsx, Xls }
