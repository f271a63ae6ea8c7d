using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using NongThonMoi.Infrastructure.Security;

namespace NongThonMoi.Portal;

/// <summary>
/// <c>/quan-tri/dang-nhap</c>: the admin login (<c>Admin:User</c>/<c>Admin:Password</c>) as a form, opening the same
/// cookie session as a code does but for any unit. A browser's HTTP Basic prompt would also work on the portal's pages,
/// but it cannot sign out and sends the password with every request.
/// </summary>
public sealed class AdminSignInModel(IOptions<AdminOptions> admin, LoginThrottle throttle) : PageModel
{
    public string? Error { get; private set; }

    public string UserName { get; private set; } = "";

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync([FromForm(Name = "ten")] string? user, [FromForm(Name = "mat-khau")] string? password)
    {
        UserName = (user ?? "").Trim();
        var name = LoginThrottle.User(UserName);
        if (throttle.IsBlocked(HttpContext, name))
        {
            Error = LoginThrottle.Message;
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return Page();
        }
        if (!PasswordCheck.Matches(UserName, password ?? "", admin.Value))
        {
            throttle.RecordFailure(HttpContext, name);
            Error = "Tên đăng nhập hoặc mật khẩu không đúng.";
            return Page();
        }
        await HttpContext.SignInAsync(PortalAuthentication.CookieScheme, PortalAuthentication.Admin(UserName));
        return Redirect("/");
    }
}
