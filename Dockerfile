# Switchboard: build with Maven on a JDK, run on a JRE, as a user without privileges.
#   docker build -t switchboard .
#   docker run -p 8080:8080 -v switchboard-data:/data -e OPENAI_API_KEY=sk-… switchboard
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:21-jre
RUN groupadd --system switchboard && useradd --system --gid switchboard --home-dir /data switchboard \
    && mkdir -p /data && chown switchboard:switchboard /data
COPY --from=build /src/target/switchboard.jar /app/switchboard.jar
USER switchboard
ENV SWITCHBOARD_DATA_DIR=/data \
    SWITCHBOARD_PORT=8080 \
    DJL_CACHE_DIR=/data/.djl
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && grep -q '200' <&3"]
# SIGTERM (docker stop) lets running runs finish within SWITCHBOARD_SHUTDOWN_GRACE_SECONDS; give it that long.
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-XX:MaxRAMPercentage=75", "-jar", "/app/switchboard.jar"]
