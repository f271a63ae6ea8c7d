using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using NongThonMoi.Infrastructure.Security;
using NongThonMoi.Infrastructure.Web;
using NongThonMoi.Programme;
using NongThonMoi.Submissions;

namespace NongThonMoi.Portal;

/// <summary>
/// <c>/quan-tri/ma-truy-cap</c> (admin): the access codes — create one (shown once, on a slip to print and hand over),
/// revoke one, and the list with when each was created and last used.
/// </summary>
public sealed class CodesModel(
    AccessCodes codes, TokenService tokens, ReferenceStore reference, ReportingCalendar calendar,
    IOptions<WebOptions> web) : PageModel
{
    public IReadOnlyList<AccessCode> Codes { get; private set; } = [];
    public IReadOnlyList<Unit> Units { get; private set; } = [];
    public IReadOnlyDictionary<string, string> Names { get; private set; } = new Dictionary<string, string>();
    public ReportingCalendar Calendar => calendar;

    /// <summary>The slip of a code just created: the only time the code is shown.</summary>
    public (Unit Unit, string Code)? Created { get; private set; }

    public string? Message { get; private set; }

    /// <summary>The address on the slip: <c>Web:PublicUrl</c>, else the one this page was opened at.</summary>
    public string PortalAddress => string.IsNullOrWhiteSpace(web.Value.PublicUrl)
        ? $"{Request.Scheme}://{Request.Host}/" : web.Value.PublicUrl.TrimEnd('/') + "/";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await ShowAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync([FromForm(Name = "don-vi")] string? unit, CancellationToken ct)
    {
        if (!User.IsInRole(Roles.Admin)) return NotFound();
        var data = await reference.LoadAsync(ct);
        var target = unit is null ? null : calendar.UnitsOf(data, calendar.Current).ReportingUnit(unit);
        if (target is null) Message = "Chọn một đơn vị báo cáo.";
        else Created = (target, await tokens.CreateAsync(target.Code, ct));
        return await ShowAsync(ct);
    }

    public async Task<IActionResult> OnPostRevokeAsync([FromForm(Name = "ma-so")] long id, CancellationToken ct)
    {
        if (!User.IsInRole(Roles.Admin)) return NotFound();
        Message = await codes.RevokeAsync(id, ct)
            ? $"Đã thu hồi mã truy cập số {id}; các phiên đăng nhập bằng mã này kết thúc ngay ở lần bấm tiếp theo."
            : $"Mã truy cập số {id} đã bị thu hồi từ trước.";
        return await ShowAsync(ct);
    }

    private async Task<IActionResult> ShowAsync(CancellationToken ct)
    {
        if (!User.IsInRole(Roles.Admin)) return NotFound();
        var data = await reference.LoadAsync(ct);
        // The units that report now; a code issued before a merger still shows its unit's last name.
        Units = calendar.UnitsOf(data, calendar.Current).ReportingUnits;
        Names = data.AllUnits.GroupBy(u => u.Code).ToDictionary(g => g.Key, g => g.MaxBy(u => u.ValidFrom ?? DateOnly.MinValue)!.Name);
        Codes = await codes.ListAsync(ct);
        return Page();
    }
}
