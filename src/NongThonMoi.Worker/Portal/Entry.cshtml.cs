using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NongThonMoi.Infrastructure;
using NongThonMoi.Programme;
using NongThonMoi.Submissions;

namespace NongThonMoi.Portal;

/// <summary>One commune's block of the entry form: what is shown (pre-filled or as posted) and its errors.</summary>
public sealed record EntryRow(Unit Commune, string Status, string Year, IReadOnlySet<int> Met, IReadOnlyList<SubmissionError> Errors);

/// <summary>
/// <c>/nhap</c>: the report typed in the browser, one block per commune. What it posts becomes the very JSON body the API
/// takes, and goes through <see cref="SubmissionService"/>: archived, judged and counted like any other submission.
/// Refused, the form comes back as it was sent, each error beside its commune and all of them in a summary on top.
/// </summary>
public sealed class EntryModel(PortalUnits units, SubmissionPrefill prefill, SubmissionService service) : PageModel
{
    public PortalUnit At { get; private set; } = null!;
    public IReadOnlyList<EntryRow> Rows { get; private set; } = [];
    public IReadOnlyDictionary<string, string> Data { get; private set; } = new Dictionary<string, string>();
    public IReadOnlyList<SubmissionError> Errors { get; private set; } = [];
    public string? PrefilledFrom { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? unit, CancellationToken ct)
    {
        if (await units.ResolveAsync(User, unit, ct) is not { Set: { } set } at) return NotFound();
        At = at;
        ViewData["UnitName"] = at.Unit.Name;
        var last = await prefill.NewestAcceptedAsync(at.Unit.Code, at.Period, set, at.Reference, ct);
        PrefilledFrom = last.Period;
        Rows = at.Communes.Select(c => last.Of(c.Code) is { } p
            ? new EntryRow(c, p.Status, p.RecognizedYear?.ToString(CultureInfo.InvariantCulture) ?? "", p.CriteriaMet ?? new HashSet<int>(), [])
            : new EntryRow(c, "", "", new HashSet<int>(), [])).ToList();
        Data = last.Data.ToDictionary(d => d.Key, d => d.Value.ToString(CultureInfo.InvariantCulture));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? unit, CancellationToken ct)
    {
        if (await units.ResolveAsync(User, unit, ct) is not { Set: { } set } at) return NotFound();
        At = at;
        ViewData["UnitName"] = at.Unit.Name;
        var form = Request.Form;
        var typed = new List<SubmissionError>();
        var communes = new List<object>();
        var rows = new List<(Unit Commune, string Status, string Year, HashSet<int> Met)>();
        foreach (var c in at.Communes)
        {
            var status = form[$"tt-{c.Code}"].ToString().Trim();
            var yearText = form[$"nam-{c.Code}"].ToString().Trim();
            var met = form[$"tc-{c.Code}"].Select(v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)
                .Where(n => n > 0).ToHashSet();
            int? year = null;
            if (yearText.Length > 0)
            {
                if (int.TryParse(yearText, NumberStyles.None, CultureInfo.InvariantCulture, out var y)) year = y;
                else typed.Add(new(c.Code, "recognized_year", $"năm công nhận \"{yearText}\" không phải là một năm; ghi bằng số, ví dụ 2019"));
            }
            rows.Add((c, status, yearText, met));
            communes.Add(new { code = c.Code, status, recognized_year = year, criteria_met = met.Order().ToArray() });
        }
        var data = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var dataText = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var element in at.Reference.DataElements)
        {
            var text = form[$"sl-{element.Code}"].ToString().Trim();
            dataText[element.Code] = text;
            if (text.Length == 0) continue;
            // Vietnamese writes a decimal comma: "2,5".
            if (decimal.TryParse(text.Replace(',', '.'), NumberStyles.Number & ~NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var value))
                data[element.Code] = value;
            else typed.Add(new(null, $"data.{element.Code}", $"{element.Name}: \"{text}\" không phải là một số"));
        }

        var errors = typed;
        if (typed.Count == 0)
        {
            // A form that does not even read as numbers is not a report yet; everything else is judged and archived.
            var body = JsonSerializer.SerializeToUtf8Bytes(new { unit = at.Unit.Code, period = at.Period.Id, communes, data }, JsonDefaults.Options);
            var answer = await service.SubmitAsync(at.Submitter, SubmissionFormat.Json, "application/json", body, null, null, ct);
            if (answer.Accepted) return Redirect($"/bien-nhan/{answer.Id}{at.Query}");
            errors = [.. answer.Errors];
        }
        Errors = errors;
        Rows = rows.Select(r => new EntryRow(r.Commune, r.Status, r.Year, r.Met, errors.Where(e => e.Commune == r.Commune.Code).ToList())).ToList();
        Data = dataText;
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }
}
