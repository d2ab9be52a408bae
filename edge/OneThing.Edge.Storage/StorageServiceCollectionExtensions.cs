using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Domain.Outbox;
using OneThing.Edge.Domain.Reports;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.Storage.Labels;
using OneThing.Edge.Storage.Outbox;
using OneThing.Edge.Storage.Reports;

namespace OneThing.Edge.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>SQLite at {DataDirectory}/edge.db and content-addressed files at {DataDirectory}/files; migrated at start.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(sp => new SqliteDatabase(Path.Combine(DataDirectory(sp), "edge.db")));
        services.AddSingleton(sp => new FileStore(Path.Combine(DataDirectory(sp), "files")));
        services.AddSingleton<PdaReportStore>();
        services.AddSingleton<IPdaReportStore>(sp => sp.GetRequiredService<PdaReportStore>());
        services.AddSingleton<TaskRecipients>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AuditAnchors>();
        services.AddSingleton<CaseExport>();
        services.AddSingleton<CaseRecorder>();
        services.AddSingleton<CaseQueries>();
        services.AddSingleton<CaseLabels>();
        services.AddViolationOutbox(configuration);
        // After the case purge (AddViolationOutbox): a report goes once its case is gone.
        services.AddSingleton<IRetentionPurge, ReportRetention>();
        // Registered before the other hosted services so the schema is current before anything reads or writes.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, StorageMigration>());
        return services;
    }

    private static string DataDirectory(IServiceProvider sp) => Path.GetFullPath(sp.GetRequiredService<IOptions<SiteOptions>>().Value.DataDirectory);

    private sealed class StorageMigration(SqliteDatabase database) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => database.MigrateAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
