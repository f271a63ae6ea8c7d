using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using NongThonMoi.Infrastructure.Security;
using NongThonMoi.Programme;
using NongThonMoi.Submissions;

namespace NongThonMoi.Portal;

/// <summary>
/// <c>/</c>: the sign-in page with one field, "Mã truy cập"; once signed in, the unit's page for this period (the admin:
/// every unit's state and the unit picker, or a chosen unit's page).
/// </summary>
public sealed class IndexModel(
    PortalUnits units, UnitHistory history, ReportingCalendar calendar, SubmissionStatusQuery overview,
    TokenService tokens, LoginThrottle throttle, IOptions<ReportingOptions> reporting) : PageModel
{
    public PortalUnit? At { get; private set; }
    public SentReport? Current { get; private set; }
    public IReadOnlyList<SentReport> Recent { get; private set; } = [];

    /// <summary>Whether last period's report is in: an overdue one stays in sight, since the home page is the unit's to-do list.</summary>
    public bool PreviousIn { get; private set; } = true;
    public PeriodSubmissionStatus? Overview { get; private set; }
    public string? SignInError { get; private set; }
    public bool SessionEnded { get; private set; }
    public ReportingCalendar Calendar => calendar;

    public DateTimeOffset Deadline => calendar.Deadline(calendar.Current);

    public bool Locked => calendar.IsLocked(calendar.Current);

    public string LockedSince => calendar.FormatLocal(Deadline.AddDays(reporting.Value.LockAfterDays));

    public async Task<IActionResult> OnGetAsync(string? unit, [FromQuery(Name = "het-phien")] int? ended, CancellationToken ct)
    {
        if (User.Identity?.IsAuthenticated != true)
        {
            SessionEnded = ended == 1;
            return Page();
        }
        if (User.IsInRole(Roles.Admin) && string.IsNullOrEmpty(unit))
        {
            Overview = await overview.ForPeriodAsync(calendar.Current, ct);
            return Page();
        }
        At = await units.ResolveAsync(User, unit, ct);
        if (At is null) return NotFound();
        ViewData["UnitName"] = At.Unit.Name;
        (Current, PreviousIn, Recent) = await history.LoadAsync(At.Unit.Code, At.Period.Id, At.Period.Previous.Id, ct);
        return Page();
    }

    /// <summary>
    /// The code comes in the body of a POST and leaves nowhere: not in the address (the answer is a redirect to <c>/</c>),
    /// not in a log line, not back in the page when it was wrong.
    /// </summary>
    public async Task<IActionResult> OnPostAsync([FromForm(Name = "ma")] string? code, CancellationToken ct)
    {
        code = (code ?? "").Trim();
        var name = LoginThrottle.Code(code);
        if (throttle.IsBlocked(HttpContext, name))
        {
            SignInError = LoginThrottle.Message;
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = ((int)LoginThrottle.Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Page();
        }
        if (code.Length == 0 || await tokens.FindAsync(code, ct) is not { } found)
        {
            if (code.Length > 0) throttle.RecordFailure(HttpContext, name);
            SignInError = code.Length == 0
                ? "Nhập mã truy cập của đơn vị."
                : "Mã truy cập không đúng hoặc đã bị thu hồi. Kiểm tra lại phiếu mã truy cập, hoặc liên hệ Văn phòng Điều phối tỉnh để được cấp mã mới.";
            return Page();
        }
        await HttpContext.SignInAsync(PortalAuthentication.CookieScheme, PortalAuthentication.District(found));
        return Redirect("/");
    }
}
