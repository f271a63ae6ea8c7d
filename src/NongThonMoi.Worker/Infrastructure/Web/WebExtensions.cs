using System.Net.Sockets;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using NongThonMoi.Infrastructure.Database;
using Npgsql;

namespace NongThonMoi.Infrastructure.Web;

public static class WebExtensions
{
    /// <summary>Bodies over this are refused with 413 before they are read.</summary>
    public const long MaxBodyBytes = 5 * 1024 * 1024;

    public static WebApplicationBuilder AddWeb(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebOptions>().BindConfiguration(WebOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<WebOptions>, WebOptionsValidator>();
        builder.WebHost.UseUrls((builder.Configuration["Web:Urls"] is { Length: > 0 } urls ? urls : "http://127.0.0.1:5080").Split(';'));
        builder.Services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = MaxBodyBytes);
        builder.Services.ConfigureHttpJsonOptions(o => JsonDefaults.Configure(o.SerializerOptions));
        builder.AddApiProblems();
        builder.AddApiDocument();
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// Behind the reverse proxies named in <c>Web:TrustedProxies</c>, the client's address and scheme are taken from
    /// <c>X-Forwarded-For</c>/<c>-Proto</c>, so the failed-login throttle keys on the real client, not on the proxy that
    /// all clients share. Nobody else's header is believed: ASP.NET Core's default trust of loopback is cleared, and with
    /// the option empty the middleware is not added at all. A chain of trusted proxies is walked back to the first
    /// address that is not one of them.
    /// </summary>
    public static void UseTrustedProxies(this WebApplication app)
    {
        var trusted = WebOptions.ParseTrustedProxies(app.Services.GetRequiredService<IOptions<WebOptions>>().Value.TrustedProxies);
        if (trusted.Count == 0) return;
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            ForwardLimit = null,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var (_, network) in trusted) options.KnownIPNetworks.Add(network!.Value);
        app.UseForwardedHeaders(options);
    }

    /// <summary>
    /// The database away is a 503 with Retry-After, never a 500: the caller should simply try again,
    /// and the worker recovers by itself when PostgreSQL is back (the data source reconnects).
    /// </summary>
    public static void UseDatabaseAwareErrors(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = e => IsDatabaseAway(e) ? StatusCodes.Status503ServiceUnavailable
                : e is Microsoft.AspNetCore.Http.BadHttpRequestException b ? b.StatusCode : StatusCodes.Status500InternalServerError,
            ExceptionHandler = async context =>
            {
                var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                var status = context.Response.StatusCode;
                if (status == StatusCodes.Status503ServiceUnavailable) context.Response.Headers.RetryAfter = "30";
                var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    Exception = error,
                    ProblemDetails =
                    {
                        Status = status,
                        Title = status switch
                        {
                            503 => "Service temporarily unavailable",
                            413 => "Request too large",
                            < 500 => "Bad request",
                            _ => "Internal error",
                        },
                        // Never the exception's text: it can carry connection details.
                        Detail = status switch
                        {
                            503 => "Cơ sở dữ liệu tạm thời không truy cập được; vui lòng gửi lại sau ít phút. Báo cáo chưa được ghi nhận.",
                            413 => "Tệp quá lớn (tối đa 5 MB).",
                            < 500 => "Yêu cầu không hợp lệ.",
                            _ => "Lỗi hệ thống; quản trị viên đã được ghi nhận sự cố.",
                        },
                    },
                });
            },
        });
    }

    public static bool IsDatabaseAway(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException { IsTransient: true } or SocketException or TimeoutException) return true;
            if (e is NpgsqlException n && n.InnerException is IOException or SocketException) return true;
            if (e is PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "53300" }) return true;
        }
        return false;
    }

    public static void MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteHealthAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteHealthAsync });
    }

    /// <summary>
    /// Healthy (or degraded, still 200): the plain <c>Healthy</c> that probes and systemd scripts expect. Unhealthy (503):
    /// a problem+json like every other refusal of the machine paths, saying in Vietnamese which check failed and what
    /// to look at, with <c>Retry-After</c> — a load balancer only reads the status, a person reading the answer learns why.
    /// </summary>
    internal static async Task WriteHealthAsync(HttpContext http, HealthReport report)
    {
        if (report.Status != HealthStatus.Unhealthy)
        {
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync(report.Status.ToString());
            return;
        }
        http.Response.Headers.RetryAfter = "30";
        var failing = report.Entries.Values.Where(e => e.Status == HealthStatus.Unhealthy)
            .Select(e => e.Description ?? "một kiểm tra không đạt").Distinct();
        var detail = $"Hệ thống chưa sẵn sàng: {string.Join("; ", failing)}. Thử lại sau ít phút; nếu kéo dài, " +
                     "kiểm tra PostgreSQL (ConnectionStrings:NongThonMoi) và nhật ký của dịch vụ.";
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        var written = await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = http.Response.StatusCode, Title = ApiProblems.TitleFor(http.Response.StatusCode), Detail = detail },
        });
        // A probe that accepts only text (Accept: text/plain) still gets the reason, in the form it asked for.
        if (!written)
        {
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync(detail);
        }
    }
}

/// <summary>
/// Ready: the database answers, every migration is applied, and Hangfire's tables are there. The descriptions are
/// Vietnamese because they are the reason shown in <c>/health/ready</c>'s 503.
/// </summary>
internal sealed class DatabaseHealthCheck(MigrationRunner migrations, NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            if (!await migrations.IsUpToDateAsync(ct)) return HealthCheckResult.Unhealthy("lược đồ cơ sở dữ liệu chưa được cập nhật (chạy nongthonmoi migrate)");
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var command = new NpgsqlCommand("select to_regclass('hangfire.job') is not null", connection);
            return await command.ExecuteScalarAsync(ct) is true
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("các bảng của Hangfire chưa được tạo");
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("không kết nối được cơ sở dữ liệu");
        }
    }
}
