using System.CommandLine;

namespace NongThonMoi.Composition.Cli;

/// <summary>
/// Every verb and option of the program, declared once: System.CommandLine parses against it, prints its help
/// (<c>--help</c>, <c>-h</c>) and refuses what it does not list.
/// </summary>
public static class Verbs
{
    /// <summary>The option names, so that <c>--unit:178</c> is read as an option and not as a configuration key.</summary>
    public static readonly string[] OptionNames = ["unit", "period", "file", "committee", "out", "resend", "help", "version"];

    public static RootCommand Root()
    {
        var root = new RootCommand("""
            NongThonMoi: nhận báo cáo tiến độ nông thôn mới, tính chỉ tiêu và gửi bản tin.
            Không có lệnh: như `serve`. Mọi khóa cấu hình có thể ghi đè: --Section:Key=value (ví dụ --Smtp:Host=relay.example.vn).
            Mã thoát: 0 xong; 2 sai cách dùng hoặc dữ liệu sai; 1 lỗi khác.
            """);
        root.SetAction(_ => 0); // no verb is `serve`, so a word that is no verb is an error of its own
        root.Subcommands.Add(new Command("serve", "web endpoints, dashboard and job server (the default)"));
        root.Subcommands.Add(new Command("demo", "serve on embedded defaults with the sample province and a first bulletin"));
        root.Subcommands.Add(new Command("migrate", "apply the database schema and exit"));
        root.Subcommands.Add(new Command("sync-reference", "load the reference folder into the database and exit"));
        root.Subcommands.Add(new Command("hash-password", "read a password from standard input, print it as Admin:PasswordHash"));
        root.Subcommands.Add(new Command("token", "a reporting unit's submission token")
        {
            new Command("create", "make a token (printed once, stored as a hash)") { Unit() },
            new Command("revoke", "revoke every token of the unit") { Unit() },
        });
        root.Subcommands.Add(new Command("submit", "submit a .json, .csv, .xlsx or .xls file as the admin")
        {
            Unit(), Text("--period", "the period, e.g. 2026-W48", required: true), Text("--file", "the file to submit", required: true),
        });
        root.Subcommands.Add(new Command("recompute", "recompute the figures now and print a summary") { Period() });
        root.Subcommands.Add(new Command("bulletin", "render or send the bulletins")
        {
            new Command("preview", "render bulletins to a folder, send nothing")
            {
                Committee(), Period(), Text("--out", "the folder to write into", required: true),
            },
            new Command("send", "send the bulletin now through the delivery ledger (never twice)")
            {
                Committee(), Period(),
                new Option<bool>("--resend") { Description = "a fresh copy to members who already received it, marked as a resend" },
            },
        });
        return root;
    }

    private static Option<string> Unit() => Text("--unit", "the reporting unit's code (units.csv)", required: true);

    private static Option<string> Period() => Text("--period", "the period (default: the current one or the latest snapshot)");

    private static Option<string> Committee() => Text("--committee", "one committee's id (committees.json); default every committee");

    private static Option<string> Text(string name, string description, bool required = false) =>
        new(name) { Description = description, Required = required, HelpName = name.TrimStart('-').ToUpperInvariant() };
}
