using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using NongThonMoi.Programme;

namespace NongThonMoi.Submissions;

/// <summary>The answer to a submission: what the API returns and what a repeat of the same body gets again.</summary>
public sealed record SubmissionAnswer(
    int HttpStatus, Guid? Id, bool Late, IReadOnlyList<SubmissionError> Errors, IReadOnlyList<SubmissionError> Warnings, string? Detail = null)
{
    public bool Accepted => HttpStatus == StatusCodes.Status201Created;
}

/// <summary>
/// Takes a body from the API or the <c>submit</c> verb: reads it, checks the rules, archives it verbatim
/// with its outcome, and asks for the figures to be recomputed when it is accepted.
/// </summary>
public sealed class SubmissionService(
    SubmissionStore store,
    ReferenceStore reference,
    ReportingCalendar calendar,
    ISubmissionAccepted accepted,
    IOptions<ReportingOptions> reporting,
    ILogger<SubmissionService> logger)
{
    public async Task<SubmissionAnswer> SubmitAsync(
        Submitter submitter, SubmissionFormat format, string contentType, byte[] body, string? unit, string? period, CancellationToken ct)
    {
        var receivedAt = calendar.Now;
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(body));

        SubmittedReport? report = null;
        string? unreadable = null;
        try
        {
            report = format switch
            {
                SubmissionFormat.Json => JsonSubmissionReader.Read(body),
                SubmissionFormat.Csv => CsvSubmissionReader.Read(body, unit ?? "", period ?? ""),
                SubmissionFormat.Xlsx => XlsxSubmissionReader.Read(body, unit ?? "", period ?? ""),
                SubmissionFormat.Xls => XlsSubmissionReader.Read(body, unit ?? "", period ?? ""),
                _ => throw new UnreadableSubmissionException("body", $"định dạng {format} không được hỗ trợ"),
            };
            unit = report.Unit.Length > 0 ? report.Unit : unit;
            period = report.Period.Length > 0 ? report.Period : period;
        }
        catch (UnreadableSubmissionException e)
        {
            unreadable = e.Message;
        }

        unit = SubmissionStore.Storable(unit ?? submitter.Unit ?? "");
        period = SubmissionStore.Storable(period ?? "");
        if (!submitter.IsAdmin && unit != submitter.Unit)
            return new SubmissionAnswer(StatusCodes.Status403Forbidden, null, false, [],
                [], $"Mã truy cập này chỉ dùng để nộp báo cáo của đơn vị {submitter.Unit}, không phải {unit}.");

        var id = Guid.CreateVersion7(receivedAt);
        var late = false;
        ValidationOutcome outcome;
        int status;
        if (unreadable is not null)
        {
            outcome = new ValidationOutcome([new SubmissionError(null, "body", unreadable)], []);
            status = StatusCodes.Status400BadRequest;
        }
        else
        {
            var (context, contextErrors) = await ContextAsync(submitter, unit, period, format != SubmissionFormat.Json, ct);
            outcome = context is null ? new ValidationOutcome(contextErrors, []) : SubmissionValidator.Validate(report!, context);
            late = context is not null && calendar.IsLate(context.Period, receivedAt);
            status = outcome.Accepted ? StatusCodes.Status201Created : StatusCodes.Status422UnprocessableEntity;
        }

        // The same body again (the store checks it in the statement that archives): an accepted one is answered as before and
        // stored once; one refused again for the same reasons gets the same answer and no second copy. A refused one is
        // judged again first, because a refusal can depend on who sends it and when (a district after the lock, the admin after it).
        var saved = await store.SaveAsync(new NewSubmission(id, unit, period, receivedAt, sha256, body, contentType, format, submitter,
            outcome.Accepted && unreadable is null, status, late, outcome.Errors, outcome.Warnings, report), ct);
        if (saved.Earlier is { } earlier) return AnswerOf(earlier);
        if (saved.Raced && await store.FindRepeatAsync(unit, period, sha256, ct) is { } raced)
            return AnswerOf(raced); // the same body arrived twice at once: both get the first one's answer

        logger.LogInformation("Submission {SubmissionId} for {Unit} {Period} by {Submitter}: {Status}{Late}, {Errors} errors, {Warnings} warnings",
            id, unit, period, submitter.Label, status, late ? " (late)" : "", outcome.Errors.Count, outcome.Warnings.Count);
        if (status == StatusCodes.Status201Created) accepted.OnAccepted(period);
        return new SubmissionAnswer(status, id, late, outcome.Errors, outcome.Warnings, unreadable);
    }

    /// <summary>The unit and period must make sense before any commune is looked at.</summary>
    private async Task<(ValidationContext?, List<SubmissionError>)> ContextAsync(
        Submitter submitter, string unitCode, string periodId, bool fromFile, CancellationToken ct)
    {
        var errors = new List<SubmissionError>();
        // Kept in memory until a reference sync changes it (ReferenceStore): a deadline rush reads it per submission.
        var data = await reference.LoadAsync(ct);
        // The unit list of the period (its deadline day): a period before a merger keeps its old units, one after it the new.
        var units = calendar.UnitsOf(data, calendar.TryParsePeriod(periodId, out var asked, out _) ? asked : calendar.Current);
        var unit = units.ReportingUnit(unitCode);
        if (unit is null)
            errors.Add(new(null, "unit", unitCode.Length == 0
                ? fromFile ? "thiếu mã đơn vị báo cáo: thêm ?unit=… vào địa chỉ gửi tệp" : "thiếu mã đơn vị báo cáo (unit)"
                : units.WhyNotValid(unitCode) is { } why
                    ? units.Level == UnitLevel.Commune && data.AllUnits.Any(u => u.Code == unitCode && u.Level == UnitLevel.District)
                        ? $"{why}; từ kỳ này mỗi xã tự báo cáo bằng mã xã của mình"
                        : why
                    : $"\"{unitCode}\" không phải là đơn vị báo cáo ({units.LevelName}) của tỉnh"));

        CriteriaSet? set = null;
        var parsed = calendar.TryParsePeriod(periodId, out var period, out var periodError);
        // A CSV or Excel file has no place for the period: it travels in the address, which is easy to forget.
        if (fromFile && periodId.Length == 0)
            errors.Add(new(null, "period", $"thiếu kỳ báo cáo: thêm ?period={calendar.Current.Id} vào địa chỉ gửi tệp (/api/submissions/file?unit=…&period=…)"));
        else if (!parsed)
            errors.Add(new(null, "period", periodError));
        else if (string.CompareOrdinal(period.Id, calendar.Current.Id) > 0)
            errors.Add(new(null, "period", $"kỳ {period.Id} chưa bắt đầu; kỳ hiện tại là {calendar.Current.Id}"));
        else if (!submitter.IsAdmin && calendar.IsLocked(period))
            errors.Add(new(null, "period", $"kỳ {period.Id} đã khóa sổ từ {calendar.FormatLocal(calendar.Deadline(period).AddDays(reporting.Value.LockAfterDays))}; liên hệ Văn phòng Điều phối tỉnh để nộp bổ sung"));
        else if ((set = data.CriteriaSets.FirstOrDefault(s => s.AppliesTo(period.Year))) is null)
            errors.Add(new(null, "period", $"chưa có bộ tiêu chí áp dụng cho năm {period.Year}"));

        if (errors.Count > 0) return (null, errors);
        var communes = units.CommunesOf(unit!);
        return (new ValidationContext(unit!, communes, period, set!, IndicatorCodes(set!), data.DataElements.Select(e => e.Code).ToHashSet(),
            units.WhyNotValid), errors);
    }

    /// <summary>Read once per criteria set as loaded (the reference is kept until it changes), not once per submission.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<CriteriaSet, HashSet<string>> IndicatorCodesOf = new();

    private static HashSet<string> IndicatorCodes(CriteriaSet set) => IndicatorCodesOf.GetValue(set, ReadIndicatorCodes);

    private static HashSet<string> ReadIndicatorCodes(CriteriaSet set)
    {
        using var doc = JsonDocument.Parse(set.Definition);
        return doc.RootElement.GetProperty("criteria").EnumerateArray()
            .SelectMany(c => c.TryGetProperty("indicators", out var i) ? i.EnumerateArray() : Enumerable.Empty<JsonElement>())
            .Select(i => i.TryGetProperty("code", out var code) ? code.GetString() ?? "" : "")
            .Where(c => c.Length > 0)
            .ToHashSet(StringComparer.Ordinal);
    }

    private static SubmissionAnswer AnswerOf(ArchivedSubmission s) =>
        new(s.HttpStatus, s.Id, s.Late, s.ErrorList, s.WarningList, s.HttpStatus == 400 ? s.ErrorList.FirstOrDefault()?.Message : null);
}
