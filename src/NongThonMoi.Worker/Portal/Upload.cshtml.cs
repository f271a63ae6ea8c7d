using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NongThonMoi.Infrastructure.Web;
using NongThonMoi.Submissions;

namespace NongThonMoi.Portal;

/// <summary>
/// <c>POST /nop-tep</c>: an .xlsx, .xls or .csv file through the same readers, rules and archive as the API
/// (<see cref="SubmissionService"/>). Accepted: on to the receipt. Refused: every error, in the file's row order, and the form again.
/// </summary>
public sealed class UploadModel(PortalUnits units, SubmissionService service) : PageModel
{
    public PortalUnit At { get; private set; } = null!;
    public string? FileName { get; private set; }
    public IReadOnlyList<ErrorOrder.Located> Errors { get; private set; } = [];

    public IActionResult OnGet(string? unit) => Redirect("/" + (string.IsNullOrEmpty(unit) ? "" : $"?unit={Uri.EscapeDataString(unit)}"));

    public async Task<IActionResult> OnPostAsync(string? unit, [FromForm(Name = "tep")] IFormFile? file, CancellationToken ct)
    {
        if (await units.ResolveAsync(User, unit, ct) is not { } at) return NotFound();
        At = at;
        ViewData["UnitName"] = at.Unit.Name;
        FileName = file?.FileName;
        var format = Path.GetExtension(file?.FileName ?? "").ToLowerInvariant() switch
        {
            ".xlsx" => SubmissionFormat.Xlsx,
            ".xls" => SubmissionFormat.Xls,
            ".csv" => SubmissionFormat.Csv,
            _ => (SubmissionFormat?)null,
        };
        if (file is null || file.Length == 0)
            return Refused(new SubmissionError(null, "body", "chưa chọn tệp, hoặc tệp trống"));
        if (format is null)
            return Refused(new SubmissionError(null, "body", "chỉ nhận tệp Excel (.xlsx, .xls) hoặc CSV (.csv)"));
        if (file.Length > WebExtensions.MaxBodyBytes)
            return Refused(new SubmissionError(null, "body", "tệp quá lớn (tối đa 5 MB)"));

        using var buffer = new MemoryStream((int)file.Length);
        await file.CopyToAsync(buffer, ct);
        var body = buffer.ToArray();
        var answer = await service.SubmitAsync(at.Submitter, format.Value, file.ContentType ?? "", body, at.Unit.Code, at.Period.Id, ct);
        if (answer.Accepted) return Redirect($"/bien-nhan/{answer.Id}{at.Query}");
        Errors = ErrorOrder.Locate(answer.Errors, body, format.Value, at);
        Response.StatusCode = answer.HttpStatus;
        return Page();
    }

    private PageResult Refused(SubmissionError error)
    {
        Errors = [new ErrorOrder.Located(null, error)];
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
