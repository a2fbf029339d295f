//! The real AWS backend: CloudFront for routes and switching, CloudWatch for metrics, Lambda for
//! the account's concurrency limit, STS for who is calling, the KeyValueStore data plane for the
//! router's shares, API Gateway for the stage rollback, Kinesis for the edge logs, CloudTrail for
//! who changed a distribution outside cutover and CloudWatch Logs for the team's journal. It
//! implements the same traits as the simulator, so the console, the safe switch and the tests
//! above them do not know which they drive.

pub mod backend;
pub mod behavior;
pub mod change_authors;
pub mod clients;
pub mod cloudtrail_event;
pub mod control_plane;
pub mod edge_logs;
pub mod errors;
pub mod journal;
pub mod kinesis;
pub mod metrics;
pub mod policies;
pub mod router;
pub mod share_store;
pub mod spec;
pub mod stage;

pub use backend::AwsBackend;
pub use change_authors::CloudTrailAuthors;
pub use clients::{AccountClients, AccountSpec, AwsClients, ConnectOptions, MissingProfile, NoRegion};
pub use control_plane::CloudFrontControlPlane;
pub use journal::LogsJournal;
pub use kinesis::KinesisStream;
pub use metrics::CloudWatchMetrics;
pub use share_store::KvsShareStore;
pub use spec::DistributionSpec;
pub use stage::ApiGatewayStages;
