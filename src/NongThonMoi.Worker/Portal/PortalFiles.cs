using System.Security.Claims;
using NongThonMoi.Infrastructure;
using NongThonMoi.Submissions;

namespace NongThonMoi.Portal;

/// <summary>
/// The files a signed-in unit downloads: its template pre-filled with its newest accepted figures, and the archived
/// originals of its own submissions. Another unit's are answered 404, exactly like ones that do not exist.
/// </summary>
public static class PortalFiles
{
    public static void MapPortalFiles(this WebApplication app)
    {
        var files = app.MapGroup("").RequireAuthorization(PortalAuthentication.Policy).WithMetadata(PortalEndpoint.Marker);
        files.MapGet("/mau/bao-cao.xlsx", (ClaimsPrincipal user, string? unit, PortalUnits units, SubmissionPrefill prefill, CancellationToken ct) =>
            TemplateAsync(user, unit, units, prefill, csv: false, ct));
        files.MapGet("/mau/bao-cao.csv", (ClaimsPrincipal user, string? unit, PortalUnits units, SubmissionPrefill prefill, CancellationToken ct) =>
            TemplateAsync(user, unit, units, prefill, csv: true, ct));
        files.MapGet("/tai-ve/{id:guid}", OriginalAsync);
    }

    private static async Task<IResult> TemplateAsync(
        ClaimsPrincipal user, string? unit, PortalUnits units, SubmissionPrefill prefill, bool csv, CancellationToken ct)
    {
        if (await units.ResolveAsync(user, unit, ct) is not { Set: { } set } at) return Results.NotFound();
        var last = await prefill.NewestAcceptedAsync(at.Unit.Code, at.Period, set, at.Reference, ct);
        var name = $"bao-cao-{at.Unit.Code}-{at.Period.Id}";
        return csv
            ? Results.File(SubmissionTemplate.Csv(at.Communes, set, last), "text/csv; charset=utf-8", $"{name}.csv")
            : Results.File(SubmissionTemplate.Xlsx(at.Unit, at.Communes, set, at.Period, last), Spreadsheet.ContentType, $"{name}.xlsx");
    }

    private static async Task<IResult> OriginalAsync(Guid id, ClaimsPrincipal user, SubmissionStore store, CancellationToken ct)
    {
        var submitter = Submitter.Of(user);
        var archived = await store.GetAsync(id, ct);
        if (archived is null || (!submitter.IsAdmin && archived.UnitCode != submitter.Unit)) return Results.NotFound();
        var body = await store.GetBodyAsync(id, ct);
        if (body is null) return Results.NotFound();
        var extension = archived.Format is "csv" or "xlsx" or "xls" or "json" ? archived.Format : "bin";
        // The type the sender declared is not trusted to the browser: it could be text/html.
        var type = extension switch
        {
            "xlsx" => Spreadsheet.ContentType,
            "xls" => XlsSubmissionReader.ContentType,
            "csv" => "text/csv; charset=utf-8",
            "json" => "application/json",
            _ => "application/octet-stream",
        };
        return Results.File(body, type, $"bao-cao-{archived.UnitCode}-{archived.Period}-{id.ToString()[..8]}.{extension}");
    }
}
