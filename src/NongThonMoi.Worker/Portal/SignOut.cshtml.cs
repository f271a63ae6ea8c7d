using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace NongThonMoi.Portal;

/// <summary><c>POST /dang-xuat</c>: ends the session (a form, so a link in someone else's page cannot do it).</summary>
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(PortalAuthentication.CookieScheme);
        return Redirect("/");
    }
}
