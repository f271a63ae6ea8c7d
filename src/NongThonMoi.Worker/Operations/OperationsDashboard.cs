using Hangfire.Dashboard;

namespace NongThonMoi.Operations;

/// <summary>Registers the "Báo cáo NTM" page and its menu item with the Hangfire dashboard (behind the same admin login).</summary>
public static class OperationsDashboard
{
    public const string PagePath = "/bao-cao-ntm";
    internal const string ReportKey = "ntm.operations-report";

    private static readonly Lock Gate = new();
    private static bool _registered;

    public static void MapOperationsPage(this WebApplication app)
    {
        // Hangfire's routes and menu are process-wide statics: several hosts in one process (tests) register once.
        lock (Gate)
        {
            if (_registered) return;
            DashboardRoutes.Routes.Add(PagePath, new ReportDispatcher());
            NavigationMenu.Items.Add(page => new MenuItem(OperationsPage.Title, page.Url.To(PagePath))
            {
                Active = page.RequestPath.StartsWith(PagePath, StringComparison.Ordinal),
            });
            _registered = true;
        }
    }

    /// <summary>
    /// Loads the report without blocking a thread, then hands over to Hangfire's own page dispatcher, which gives the page
    /// its dashboard context and layout. That dispatcher type is internal; a private route collection hands it out.
    /// </summary>
    private sealed class ReportDispatcher : IDashboardDispatcher
    {
        private static readonly IDashboardDispatcher Page = CreatePageDispatcher();

        public async Task Dispatch(DashboardContext context)
        {
            var http = context.GetHttpContext();
            http.Items[ReportKey] = await http.RequestServices.GetRequiredService<OperationsReportQuery>().LoadAsync(http.RequestAborted);
            await Page.Dispatch(context);
        }

        private static IDashboardDispatcher CreatePageDispatcher()
        {
            var routes = new Hangfire.Dashboard.RouteCollection();
            routes.AddRazorPage(PagePath, _ => new OperationsPage());
            return routes.FindDispatcher(PagePath).Item1;
        }
    }
}
