using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NongThonMoi.Programme;
using NongThonMoi.Submissions;

namespace NongThonMoi.Portal;

/// <summary>
/// <c>/bien-nhan/{id}</c>: the receipt (biên nhận) of one submission — printable, and reachable later from the unit's
/// list. Another unit's submission is answered 404, like one that does not exist.
/// </summary>
public sealed class ReceiptModel(PortalUnits units, SubmissionStore store, ReportingCalendar calendar) : PageModel
{
    public PortalUnit At { get; private set; } = null!;
    public ArchivedSubmission Submission { get; private set; } = null!;
    public ReportingCalendar Calendar => calendar;

    public async Task<IActionResult> OnGetAsync(Guid id, string? unit, CancellationToken ct)
    {
        var archived = await store.GetAsync(id, ct);
        // The admin follows the submission's own unit; a district only ever sees its own.
        if (archived is null || await units.ResolveAsync(User, User.IsInRole(Infrastructure.Security.Roles.Admin) ? archived.UnitCode : unit, ct) is not { } at
            || at.Unit.Code != archived.UnitCode)
            return NotFound();
        (At, Submission) = (at, archived);
        ViewData["UnitName"] = at.Unit.Name;
        return Page();
    }
}
